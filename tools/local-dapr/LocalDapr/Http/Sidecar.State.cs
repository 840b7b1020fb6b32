using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Components;
using LocalDapr.Http;
using LocalDapr.State;

namespace LocalDapr.Hosting;

/// <summary>The state API: /v1.0/state/{store}[/{key}|/bulk|/transaction].</summary>
public sealed partial class Sidecar
{
    private StateStoreComponent Store(string name)
    {
        if (Components.StateStores.Count == 0)
        {
            throw DaprError.StateStoresNotConfigured(AppId);
        }

        return Components.StateStores.TryGetValue(name, out var store) ? store : throw DaprError.StateStoreNotFound(name, AppId);
    }

    private static string CheckKey(string key)
    {
        if (key.Contains(StateStoreComponent.Separator, StringComparison.Ordinal))
        {
            throw new DaprError(400, "ERR_MALFORMED_REQUEST", $"input key/keyPrefix '{key}' can't contain '||'",
                [DaprError.ErrorInfo("DAPR_STATE_ILLEGAL_KEY")]);
        }

        return key;
    }

    private async Task GetStateAsync(HttpContext context, string storeName, string key)
    {
        var store = Store(storeName);
        var storedKey = store.Key(CheckKey(key));
        StateItem? item;
        try
        {
            item = await store.Store.GetAsync(storedKey, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_GET", $"fail to get {key} from state store {storeName}: {ex.Message}");
        }

        if (item is null)
        {
            context.Response.StatusCode = 204;
            return;
        }

        if (item.ETag is { } etag)
        {
            context.Response.Headers.ETag = etag;
        }

        if (item.ExpireTime is { } expires)
        {
            context.Response.Headers["metadata.ttlExpireTime"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        await WriteJsonAsync(context, 200, item.Data);
    }

    private async Task BulkGetStateAsync(HttpContext context, string storeName)
    {
        var store = Store(storeName);
        var body = await ReadJsonBodyAsync<JsonObject>(context);

        var keys = (body["keys"] as JsonArray ?? []).Select(k => Text(k) ?? "").ToList();
        keys.ForEach(k => CheckKey(k));
        IReadOnlyList<StateItem?> items;
        try
        {
            items = await store.Store.BulkGetAsync(keys.Select(store.Key).ToList(), context.RequestAborted);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_BULK_GET", $"failed getting state in bulk from state store {storeName}: {ex.Message}");
        }

        var result = new JsonArray();
        for (var i = 0; i < keys.Count; i++)
        {
            var element = new JsonObject { ["key"] = keys[i] };
            if (items[i] is { } item)
            {
                element["data"] = ParseStored(item.Data);
                if (item.ETag is not null)
                {
                    element["etag"] = item.ETag;
                }

                if (item.ExpireTime is { } expires)
                {
                    element["metadata"] = new JsonObject { ["ttlExpireTime"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) };
                }
            }

            result.Add(element);
        }

        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(result));
    }

    private async Task SaveStateAsync(HttpContext context, string storeName)
    {
        var store = Store(storeName);
        var query = QueryMetadata(context.Request);
        var items = await ReadJsonBodyAsync<JsonArray>(context);

        var requests = new List<SetRequest>();
        foreach (var node in items)
        {
            if (node is not JsonObject item)
            {
                throw DaprError.Malformed("failed deserializing HTTP body: each item must be an object");
            }

            requests.Add(ToSetRequest(item, store, query, "ERR_STATE_SAVE", storeName));
        }

        if (requests.Count == 0)
        {
            context.Response.StatusCode = 204;
            return;
        }

        try
        {
            if (requests.Count == 1)
            {
                await store.Store.SetAsync(requests[0], context.RequestAborted);
            }
            else
            {
                await store.Store.MultiAsync(requests.Select(r => new TransactionOperation(r, null)).ToList(), context.RequestAborted);
            }
        }
        catch (ETagException ex)
        {
            throw new DaprError(ex.Kind == ETagErrorKind.Mismatch ? 409 : 400, "ERR_STATE_SAVE", $"failed saving state in state store {storeName}: {ex.Message}");
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_SAVE", $"failed saving state in state store {storeName}: {ex.Message}");
        }

        context.Response.StatusCode = 204;
    }

    private async Task DeleteStateAsync(HttpContext context, string storeName, string key)
    {
        var store = Store(storeName);
        string? etag = context.Request.Headers.ContainsKey("If-Match") ? context.Request.Headers.IfMatch.ToString() : null;
        var concurrency = ParseConcurrency(context.Request.Query["concurrency"].FirstOrDefault(), "ERR_STATE_DELETE", storeName);
        ValidateConsistency(context.Request.Query["consistency"].FirstOrDefault(), "ERR_STATE_DELETE", storeName);
        try
        {
            await store.Store.DeleteAsync(new DeleteRequest(store.Key(CheckKey(key)), etag, concurrency), context.RequestAborted);
        }
        catch (ETagException ex)
        {
            throw new DaprError(ex.Kind == ETagErrorKind.Mismatch ? 409 : 400, "ERR_STATE_DELETE", $"failed deleting state with key {key}: {ex.Message}");
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_DELETE", $"failed deleting state with key {key}: {ex.Message}");
        }

        context.Response.StatusCode = 204;
    }

    private async Task StateTransactionAsync(HttpContext context, string storeName)
    {
        var store = Store(storeName);
        if (!store.Store.Features.Contains("TRANSACTIONAL"))
        {
            throw new DaprError(500, "ERR_STATE_STORE_NOT_SUPPORTED", $"state store {storeName} doesn't support transaction");
        }

        var query = QueryMetadata(context.Request);
        var body = await ReadJsonBodyAsync<JsonObject>(context);

        var operations = new List<TransactionOperation>();
        foreach (var node in Field(body, "operations") as JsonArray ?? [])
        {
            if (node is not JsonObject op)
            {
                throw DaprError.Malformed("failed deserializing HTTP body: each operation must be an object");
            }

            var kind = Text(Field(op, "operation"));
            var request = Field(op, "request") as JsonObject ?? [];
            operations.Add(kind switch
            {
                "upsert" => new TransactionOperation(ToSetRequest(request, store, query, "ERR_STATE_TRANSACTION", storeName), null),
                "delete" => new TransactionOperation(null, ToDeleteRequest(request, store)),
                _ => throw new DaprError(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {kind} not supported"),
            });
        }

        if (operations.Count > 0)
        {
            try
            {
                await store.Store.MultiAsync(operations, context.RequestAborted);
            }
            catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
            {
                // daprd answers every transaction failure, ETag conflicts included, with 500.
                throw new DaprError(500, "ERR_STATE_TRANSACTION", "error while executing state transaction: " + ex.Message);
            }
        }

        context.Response.StatusCode = 204;
    }

    internal static SetRequest ToSetRequest(JsonObject item, StateStoreComponent store, IReadOnlyDictionary<string, string> queryMetadata, string errorCode, string storeName)
    {
        var key = Text(Field(item, "key"));
        if (string.IsNullOrEmpty(key))
        {
            throw DaprError.Malformed("\"key\" is a required field");
        }

        var metadata = StringMap(Field(item, "metadata"));
        foreach (var (k, v) in queryMetadata)
        {
            metadata[k] = v;
        }

        var options = Field(item, "options") as JsonObject;
        var concurrency = ParseConcurrency(options is null ? null : Text(Field(options, "concurrency")), errorCode, storeName);
        ValidateConsistency(options is null ? null : Text(Field(options, "consistency")), errorCode, storeName);
        var value = Field(item, "value");
        var data = value is null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(value);
        return new SetRequest(store.Key(CheckKey(key)), data, Text(Field(item, "etag")), concurrency, ParseTtl(metadata, errorCode, storeName));
    }

    private static DeleteRequest ToDeleteRequest(JsonObject item, StateStoreComponent store)
    {
        var key = Text(Field(item, "key"));
        if (string.IsNullOrEmpty(key))
        {
            throw DaprError.Malformed("\"key\" is a required field");
        }

        var options = Field(item, "options") as JsonObject;
        var concurrency = ParseConcurrency(options is null ? null : Text(Field(options, "concurrency")), "ERR_STATE_TRANSACTION", store.Spec.Name);
        return new DeleteRequest(store.Key(CheckKey(key)), Text(Field(item, "etag")), concurrency);
    }

    internal static int? ParseTtl(IReadOnlyDictionary<string, string> metadata, string errorCode, string storeName)
    {
        if (!metadata.TryGetValue("ttlInSeconds", out var raw))
        {
            return null;
        }

        // components-contrib ParseTTL: an integer from -1 to MaxInt32.
        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ttl) || ttl < -1)
        {
            throw new DaprError(500, errorCode, $"failed saving state in state store {storeName}: incorrect value for metadata 'ttlInSeconds': {raw}");
        }

        return ttl;
    }

    private static Concurrency ParseConcurrency(string? value, string errorCode, string storeName) => value switch
    {
        null or "" => Concurrency.Unspecified,
        "last-write" => Concurrency.LastWrite,
        "first-write" => Concurrency.FirstWrite,
        _ => throw new DaprError(500, errorCode, $"state store {storeName}: unrecognized concurrency model '{value}'"),
    };

    private static void ValidateConsistency(string? value, string errorCode, string storeName)
    {
        if (value is not (null or "" or "strong" or "eventual"))
        {
            throw new DaprError(500, errorCode, $"state store {storeName}: unrecognized consistency model '{value}'");
        }
    }

    internal static Dictionary<string, string> StringMap(JsonNode? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach (var (k, v) in obj)
            {
                // daprd's metadata maps are string to string; a number fails decoding.
                if (v is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                {
                    throw DaprError.Malformed($"failed deserializing HTTP body: metadata value for '{k}' must be a string");
                }

                map[k] = value.GetValue<string>();
            }
        }

        return map;
    }

    /// <summary>A JSON string field, or a clear 400 when it holds something else.</summary>
    internal static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw DaprError.Malformed($"failed deserializing HTTP body: expected a string, got {node.ToJsonString()}"),
    };

    /// <summary>Go's decoders match field names case-insensitively.</summary>
    internal static JsonNode? Field(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (k, v) in obj)
        {
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }

    private static JsonNode? ParseStored(byte[] data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return JsonValue.Create(System.Text.Encoding.UTF8.GetString(data));
        }
    }
}
