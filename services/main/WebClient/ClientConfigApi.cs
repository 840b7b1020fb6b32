using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DaprChat.Main.WebClient;

public sealed record HelpLine(string? EmergencyNumber, string HelplinesUrl);

/// <summary>What a client shows before anyone signs in: the help line, and how long a counsellor has to answer.</summary>
public sealed record ClientConfig(HelpLine Help, int RequestTimeoutSeconds, string? NotificationStreamUrl = null);

/// <summary>
/// The deployment's settings a page needs, as JSON: the content security policy allows no inline script, so values
/// cannot be written into the page.
/// </summary>
public static class ClientConfigApi
{
    public static IEndpointRouteBuilder MapClientConfigApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/client-config", Get).WithName("GetClientConfig").WithTags("WebClient").AllowAnonymous();
        return endpoints;
    }

    private static Ok<ClientConfig> Get(IOptions<HelpOptions> help, IOptions<Sessions.SessionOptions> sessions, IConfiguration configuration) => TypedResults.Ok(new ClientConfig(
        new HelpLine(string.IsNullOrEmpty(help.Value.EmergencyNumber) ? null : help.Value.EmergencyNumber, help.Value.HelplinesUrl),
        (int)Math.Round(sessions.Value.RequestTimeout.TotalSeconds),
        NotifyStreamUrl.For(configuration)));
}
