using DaprChat.Contracts;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Notify.Dashboard;

/// <summary>
/// main's public keys (its JWKS, through the Dapr sidecar) as JwtBearer's configuration: fetched on first use, kept for
/// <see cref="RefreshInterval"/>, refetched at most every <see cref="MinimumRefresh"/> when a token names an unknown kid.
/// </summary>
public sealed class MainKeys(IHttpClientFactory clients, TimeProvider time) : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MinimumRefresh = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _fetchedAt;
    private bool _refreshRequested;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var now = time.GetUtcNow();
        if (_current is { } current && now - _fetchedAt < RefreshInterval && !(_refreshRequested && now - _fetchedAt >= MinimumRefresh))
        {
            return current;
        }

        await _gate.WaitAsync(cancel);
        try
        {
            now = time.GetUtcNow();
            if (_current is { } again && now - _fetchedAt < RefreshInterval && !(_refreshRequested && now - _fetchedAt >= MinimumRefresh))
            {
                return again;
            }

            try
            {
                _current = await FetchAsync(cancel);
                _fetchedAt = now;
                _refreshRequested = false;
            }
            catch (Exception) when (_current is not null)
            {
                // main unreachable: keep verifying with the keys we have.
                _fetchedAt = now - RefreshInterval + MinimumRefresh;
            }

            return _current!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void RequestRefresh() => _refreshRequested = true;

    public void Dispose() => _gate.Dispose();

    private async Task<OpenIdConnectConfiguration> FetchAsync(CancellationToken cancel)
    {
        using var http = clients.CreateClient(DaprNames.Apps.Main);
        using var response = await http.GetAsync(ChatTickets.JwksPath.TrimStart('/'), cancel);
        response.EnsureSuccessStatusCode();
        var set = new JsonWebKeySet(await response.Content.ReadAsStringAsync(cancel));
        var configuration = new OpenIdConnectConfiguration { Issuer = ChatTickets.Issuer };
        foreach (var key in set.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }
}
