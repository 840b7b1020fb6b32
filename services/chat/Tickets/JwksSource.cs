using DaprChat.Contracts;
using DaprChat.Dapr;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Chat.Tickets;

/// <summary>Where main's public keys come from; the seam the tests replace.</summary>
public interface IJwksSource
{
    Task<JsonWebKeySet> FetchAsync(CancellationToken cancellationToken);
}

/// <summary>GET main's <c>/.well-known/jwks.json</c> through the Dapr sidecar (service invocation).</summary>
public sealed class DaprJwksSource(DaprClient dapr) : IJwksSource
{
    private static readonly string Method = ChatTickets.JwksPath.TrimStart('/');

    public async Task<JsonWebKeySet> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = dapr.CreateInvokeMethodRequest(HttpMethod.Get, DaprNames.Apps.Main, Method);
        using var response = await dapr.InvokeMethodWithResponseAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DaprApiException($"main answered {(int)response.StatusCode} for its JWKS", $"HTTP_{(int)response.StatusCode}", response.StatusCode, null);
        }

        return new JsonWebKeySet(await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
