using System.Text.Json;

namespace DaprChat.Dapr;

public sealed partial class DaprClient
{
    /// <summary>
    /// <c>GET /v1.0/secrets/{store}/{name}</c> → the secret's key/value map (empty on 204). daprd answers 401 for an unknown
    /// store and 500 ERR_SECRET_GET for a missing secret in a file store.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> GetSecretAsync(string storeName, string key,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var request = NewRequest(HttpMethod.Get, $"/v1.0/secrets/{DaprUrl.Segment(storeName)}/{DaprUrl.Segment(key)}",
            DaprQuery.ForMetadata(metadata));
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return IsNoContent(response, body)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(body) ?? [];
    }

    /// <summary><c>GET /v1.0/secrets/{store}/bulk</c> → secret name → key/value map (secrets denied by scoping are left out).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> GetBulkSecretAsync(string storeName,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        using var request = NewRequest(HttpMethod.Get, $"/v1.0/secrets/{DaprUrl.Segment(storeName)}/bulk", DaprQuery.ForMetadata(metadata));
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (IsNoContent(response, body))
        {
            return new Dictionary<string, IReadOnlyDictionary<string, string>>();
        }

        var parsed = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(body) ?? [];
        return parsed.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, string>)p.Value, StringComparer.Ordinal);
    }
}
