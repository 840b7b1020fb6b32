using Dapr.Client;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;

namespace DaprChat.Notify.Push;

/// <summary>Reads the FCM service account from the <c>secrets</c> store at start; without one, pushes are log-only.</summary>
public sealed partial class FcmCredentialSource(DaprClient dapr, IOptions<PushOptions> options, ILogger<FcmCredentialSource> logger)
{
    public IPushSender Sender(IServiceProvider services)
    {
        var json = Read();
        if (json is null)
        {
            LogLogOnly();
            return services.GetRequiredService<LogOnlyPushSender>();
        }

        var credential = FcmCredential.FromJson(json);
        LogFcm(credential.ProjectId);
        return ActivatorUtilities.CreateInstance<FcmPushSender>(services, credential);
    }

    private string? Read()
    {
        var name = options.Value.ServiceAccountSecret;
        try
        {
            var secret = dapr.GetSecretAsync(DaprNames.SecretStore, name).GetAwaiter().GetResult();
            return secret.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
        }
        catch (Exception ex) when (ex is Dapr.DaprException or InvalidOperationException)
        {
            // No secret store or no such secret: the embedded default, where pushes are only logged.
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No FCM service account configured: pushes are logged, not sent")]
    private partial void LogLogOnly();

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushing through FCM project {ProjectId}")]
    private partial void LogFcm(string projectId);
}
