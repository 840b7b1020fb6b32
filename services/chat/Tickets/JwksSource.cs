using DaprChat.Contracts;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Chat.Tickets;

/// <summary>Where main's public keys come from; the seam the tests replace.</summary>
public interface IJwksSource
{
    Task<JsonWebKeySet> FetchAsync(CancellationToken cancellationToken);
}

/// <summary>GET main's <c>/.well-known/jwks.json</c> through the Dapr sidecar (service invocation).</summary>
public sealed class DaprJwksSource(IHttpClientFactory clients) : IJwksSource
{
    private static readonly string Path = ChatTickets.JwksPath.TrimStart('/');

    public async Task<JsonWebKeySet> FetchAsync(CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(DaprNames.Apps.Main);
        using var response = await http.GetAsync(Path, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"main answered {(int)response.StatusCode} for its JWKS", null, response.StatusCode);
        }

        return new JsonWebKeySet(await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
