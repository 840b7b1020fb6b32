using System.Net;
using System.Text.Json;

namespace DaprChat.Dapr;

public sealed partial class DaprClient
{
    /// <summary><c>GET /v1.0/state/{store}/{key}</c>; default when the key is missing (daprd answers 204).</summary>
    public async Task<TValue?> GetStateAsync<TValue>(string storeName, string key, ConsistencyMode? consistencyMode = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var (value, _) = await GetStateAndETagAsync<TValue>(storeName, key, consistencyMode, metadata, cancellationToken).ConfigureAwait(false);
        return value;
    }

    /// <summary>The value and its ETag (daprd's unquoted <c>ETag</c> header); (default, null) when the key is missing.</summary>
    public async Task<(TValue? Value, string? ETag)> GetStateAndETagAsync<TValue>(string storeName, string key,
        ConsistencyMode? consistencyMode = null, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var query = new DaprQuery().Add("consistency", consistencyMode?.ToWire()).AddMetadata(metadata);
        using var request = NewRequest(HttpMethod.Get, $"/v1.0/state/{DaprUrl.Segment(storeName)}/{DaprUrl.Segment(key)}", query);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (IsNoContent(response, body))
        {
            return (default, null);
        }

        var etag = FirstHeader(response, "ETag");
        return (Deserialize<TValue>(body), etag.Length == 0 ? null : etag);
    }

    /// <summary><c>POST /v1.0/state/{store}/bulk</c>; items keep daprd's order, with missing keys as <c>Found == false</c>.</summary>
    public async Task<IReadOnlyList<BulkStateItem>> GetBulkStateAsync(string storeName, IReadOnlyList<string> keys,
        int? parallelism = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentNullException.ThrowIfNull(keys);
        using var request = NewRequest(HttpMethod.Post, $"/v1.0/state/{DaprUrl.Segment(storeName)}/bulk", content: JsonContent(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                writer.WriteStringValue(key);
            }

            writer.WriteEndArray();
            if (parallelism is { } p)
            {
                writer.WriteNumber("parallelism", p);
            }

            StateJson.WriteStringMap(writer, "metadata", metadata);
            writer.WriteEndObject();
        }));
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return [];
        }

        using var document = JsonDocument.Parse(body);
        var items = new List<BulkStateItem>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            // daprd sends "data" (its docs say "value"); read both so an older or newer sidecar still works.
            string? value = null;
            if (element.TryGetProperty("data", out var data) || element.TryGetProperty("value", out data))
            {
                value = data.ValueKind is JsonValueKind.Undefined ? null : data.GetRawText();
            }

            items.Add(new BulkStateItem(
                element.GetProperty("key").GetString() ?? "",
                value,
                element.TryGetProperty("etag", out var etag) && etag.ValueKind == JsonValueKind.String ? etag.GetString() : null,
                ReadStringMap(element, "metadata"),
                element.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null));
        }

        return items;
    }

    /// <summary>Bulk get with each found value deserialised to <typeparamref name="TValue"/>.</summary>
    public async Task<IReadOnlyList<BulkStateItem<TValue>>> GetBulkStateAsync<TValue>(string storeName, IReadOnlyList<string> keys,
        int? parallelism = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var items = await GetBulkStateAsync(storeName, keys, parallelism, metadata, cancellationToken).ConfigureAwait(false);
        return items.Select(i => new BulkStateItem<TValue>(
            i.Key,
            i.Value is null ? default : JsonSerializer.Deserialize<TValue>(i.Value, JsonSerializerOptions),
            i.ETag, i.Metadata, i.Error, i.Found)).ToList();
    }

    /// <summary><c>POST /v1.0/state/{store}</c> with one item. TTL: pass <see cref="StateMetadata.Ttl"/> as metadata.</summary>
    public Task SaveStateAsync<TValue>(string storeName, string key, TValue value, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return SaveStatesAsync(storeName, [new SaveStateItem(key, value, null, stateOptions, metadata)], cancellationToken);
    }

    /// <summary>
    /// Saves one item only if <paramref name="etag"/> still matches. False when daprd answers 409 (etag mismatch);
    /// an unparseable etag (400) and other failures throw.
    /// </summary>
    public async Task<bool> TrySaveStateAsync<TValue>(string storeName, string key, TValue value, string? etag,
        StateOptions? stateOptions = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        try
        {
            await SaveStatesAsync(storeName, [new SaveStateItem(key, value, etag, stateOptions, metadata)], cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DaprApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Several items in one <c>POST /v1.0/state/{store}</c>; an empty list is sent anyway (daprd answers 204).</summary>
    public Task SaveStatesAsync(string storeName, IEnumerable<SaveStateItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentNullException.ThrowIfNull(items);
        var options = JsonSerializerOptions;
        var request = NewRequest(HttpMethod.Post, $"/v1.0/state/{DaprUrl.Segment(storeName)}", content: JsonContent(writer =>
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                writer.WriteStartObject();
                writer.WriteString("key", item.Key);
                StateJson.WriteValue(writer, item.Value, options);
                if (item.ETag is not null)
                {
                    writer.WriteString("etag", item.ETag);
                }

                StateJson.WriteStringMap(writer, "metadata", item.Metadata);
                StateJson.WriteOptions(writer, item.Options);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }));
        return SendAndDisposeAsync(request, cancellationToken);
    }

    /// <summary>
    /// <c>DELETE /v1.0/state/{store}/{key}</c>; an etag goes in <c>If-Match</c> exactly as daprd returned it (unquoted).
    /// Deleting a missing key without an etag succeeds.
    /// </summary>
    public Task DeleteStateAsync(string storeName, string key, string? etag = null, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var query = new DaprQuery()
            .Add("concurrency", stateOptions?.Concurrency?.ToWire())
            .Add("consistency", stateOptions?.Consistency?.ToWire())
            .AddMetadata(metadata);
        var request = NewRequest(HttpMethod.Delete, $"/v1.0/state/{DaprUrl.Segment(storeName)}/{DaprUrl.Segment(key)}", query);
        if (etag is not null)
        {
            // Raw header: .NET's typed IfMatch insists on quoted entity tags, daprd's etags (Redis versions) are bare.
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        return SendAndDisposeAsync(request, cancellationToken);
    }

    /// <summary>Deletes only if <paramref name="etag"/> matches; false when daprd answers 409.</summary>
    public async Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(etag);
        try
        {
            await DeleteStateAsync(storeName, key, etag, stateOptions, metadata, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DaprApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>
    /// <c>POST /v1.0/state/{store}/transaction</c>: all operations or none. daprd reports every failure, etag conflicts
    /// included, as 500 ERR_STATE_TRANSACTION, so there is no "Try" variant.
    /// </summary>
    public Task ExecuteStateTransactionAsync(string storeName, IEnumerable<StateTransactionRequest> operations,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentNullException.ThrowIfNull(operations);
        var options = JsonSerializerOptions;
        var request = NewRequest(HttpMethod.Post, $"/v1.0/state/{DaprUrl.Segment(storeName)}/transaction", content: JsonContent(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("operations");
            foreach (var operation in operations)
            {
                writer.WriteStartObject();
                writer.WriteString("operation", operation.OperationType == StateOperationType.Upsert ? "upsert" : "delete");
                writer.WriteStartObject("request");
                writer.WriteString("key", operation.Key);
                if (operation.OperationType == StateOperationType.Upsert)
                {
                    StateJson.WriteValue(writer, operation.Value, options);
                }

                if (operation.ETag is not null)
                {
                    writer.WriteString("etag", operation.ETag);
                }

                StateJson.WriteStringMap(writer, "metadata", operation.Metadata);
                StateJson.WriteOptions(writer, operation.Options);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            StateJson.WriteStringMap(writer, "metadata", metadata, always: true);
            writer.WriteEndObject();
        }));
        return SendAndDisposeAsync(request, cancellationToken);
    }

    private static Dictionary<string, string>? ReadStringMap(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            result[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() ?? "" : entry.Value.GetRawText();
        }

        return result;
    }
}
