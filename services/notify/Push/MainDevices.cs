using System.Net;
using System.Net.Http.Json;
using DaprChat.Contracts;

namespace DaprChat.Notify.Push;

/// <summary>main's sidecar-only device routes, by Dapr invocation: notify names a recipient, main maps it to an account.</summary>
public interface IRecipientDevices
{
    Task<IReadOnlyList<PushDevice>> GetAsync(string kind, string recipientId, CancellationToken cancellationToken);

    Task RemoveAsync(string kind, string recipientId, string deviceId, CancellationToken cancellationToken);
}

public sealed class MainRecipientDevices(IHttpClientFactory clients) : IRecipientDevices
{
    public async Task<IReadOnlyList<PushDevice>> GetAsync(string kind, string recipientId, CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(DaprNames.Apps.Main);
        using var response = await http.GetAsync($"internal/devices/{Uri.EscapeDataString(kind)}/{Uri.EscapeDataString(recipientId)}", cancellationToken);
        // An unknown recipient (a pseudonym whose session is gone) has no devices; anything else is worth a redelivery.
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RecipientDevices>(cancellationToken))?.Devices ?? [];
    }

    public async Task RemoveAsync(string kind, string recipientId, string deviceId, CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(DaprNames.Apps.Main);
        using var response = await http.DeleteAsync(
            $"internal/devices/{Uri.EscapeDataString(kind)}/{Uri.EscapeDataString(recipientId)}/{Uri.EscapeDataString(deviceId)}", cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }
}
