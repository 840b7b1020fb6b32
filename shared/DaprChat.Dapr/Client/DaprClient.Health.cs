using System.Net;
using System.Text.Json;

namespace DaprChat.Dapr;

public sealed partial class DaprClient
{
    /// <summary>
    /// Polls <c>GET /v1.0/healthz/outbound</c> until 204: components are up even if daprd has not reached the app yet,
    /// which is what an app needs before its first state or publish call at start-up.
    /// </summary>
    public async Task WaitForSidecarAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (await CheckOutboundHealthAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(Options.SidecarPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>GET /v1.0/healthz</c>: true on 204; false on any other status or when the sidecar is unreachable.</summary>
    public Task<bool> CheckHealthAsync(CancellationToken cancellationToken = default) => ProbeAsync("/v1.0/healthz", cancellationToken);

    /// <summary><c>GET /v1.0/healthz/outbound</c>: true on 204.</summary>
    public Task<bool> CheckOutboundHealthAsync(CancellationToken cancellationToken = default) =>
        ProbeAsync("/v1.0/healthz/outbound", cancellationToken);

    private async Task<bool> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var request = NewRequest(HttpMethod.Get, path);
            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.NoContent;
        }
        catch (DaprApiException)
        {
            return false;
        }
    }

    /// <summary><c>GET /v1.0/metadata</c> as raw JSON (app id, components, subscriptions, actors…).</summary>
    public async Task<JsonElement> GetMetadataAsync(CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Get, "/v1.0/metadata");
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary><c>POST /v1.0/shutdown</c>: asks the sidecar to stop (it answers 204 and shuts down asynchronously).</summary>
    public Task ShutdownSidecarAsync(CancellationToken cancellationToken = default) =>
        SendAndDisposeAsync(NewRequest(HttpMethod.Post, "/v1.0/shutdown"), cancellationToken);
}
