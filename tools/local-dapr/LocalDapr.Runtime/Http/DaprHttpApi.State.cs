using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Api;
using LocalDapr.State;

namespace LocalDapr.Http;

/// <summary>The state API over HTTP: /v1.0/state/{store}[/{key}|/bulk|/transaction], parsed into <see cref="StateApi"/> requests.</summary>
internal sealed partial class DaprHttpApi
{
    private async Task GetStateAsync(HttpContext context, string storeName, string key)
    {
        var item = await sidecar.StateApi.GetAsync(storeName, key, context.RequestAborted);
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
            context.Response.Headers["metadata.ttlExpireTime"] = StateApi.ExpireTimeText(expires);
        }

        await WriteJsonAsync(context, 200, item.Data);
    }

    private async Task BulkGetStateAsync(HttpContext context, string storeName)
    {
        sidecar.StateApi.Store(storeName);
        var body = await ReadJsonBodyAsync<JsonObject>(context);
        var keys = (body["keys"] as JsonArray ?? []).Select(k => Text(k) ?? "").ToList();
        var items = await sidecar.StateApi.BulkGetAsync(storeName, keys, context.RequestAborted);
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
                    element["metadata"] = new JsonObject { ["ttlExpireTime"] = StateApi.ExpireTimeText(expires) };
                }
            }

            result.Add(element);
        }

        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(result));
    }

    private async Task SaveStateAsync(HttpContext context, string storeName)
    {
        sidecar.StateApi.Store(storeName);
        var query = QueryMetadata(context.Request);
        var items = await ReadJsonBodyAsync<JsonArray>(context);
        var writes = new List<StateWrite>();
        foreach (var node in items)
        {
            if (node is not JsonObject item)
            {
                throw DaprError.Malformed("failed deserializing HTTP body: each item must be an object");
            }

            writes.Add(ToStateWrite(item, query, "ERR_STATE_SAVE", storeName));
        }

        await sidecar.StateApi.SaveAsync(storeName, writes, context.RequestAborted);
        context.Response.StatusCode = 204;
    }

    private async Task DeleteStateAsync(HttpContext context, string storeName, string key)
    {
        sidecar.StateApi.Store(storeName);
        string? etag = context.Request.Headers.ContainsKey("If-Match") ? context.Request.Headers.IfMatch.ToString() : null;
        var concurrency = ParseConcurrency(context.Request.Query["concurrency"].FirstOrDefault(), "ERR_STATE_DELETE", storeName);
        ValidateConsistency(context.Request.Query["consistency"].FirstOrDefault(), "ERR_STATE_DELETE", storeName);
        await sidecar.StateApi.DeleteAsync(storeName, new StateDelete(key, etag, concurrency), context.RequestAborted);
        context.Response.StatusCode = 204;
    }

    private async Task StateTransactionAsync(HttpContext context, string storeName)
    {
        sidecar.StateApi.Store(storeName);
        var query = QueryMetadata(context.Request);
        var body = await ReadJsonBodyAsync<JsonObject>(context);

        var operations = new List<StateOperation>();
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
                "upsert" => new StateOperation(ToStateWrite(request, query, "ERR_STATE_TRANSACTION", storeName), null),
                "delete" => new StateOperation(null, ToStateDelete(request, storeName)),
                _ => throw new DaprError(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {kind} not supported"),
            });
        }

        await sidecar.StateApi.TransactAsync(storeName, operations, context.RequestAborted);
        context.Response.StatusCode = 204;
    }

    private static StateWrite ToStateWrite(JsonObject item, IReadOnlyDictionary<string, string> queryMetadata, string errorCode, string storeName)
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
        return new StateWrite(key, data, Text(Field(item, "etag")), concurrency, metadata);
    }

    private static StateDelete ToStateDelete(JsonObject item, string storeName)
    {
        var key = Text(Field(item, "key"));
        if (string.IsNullOrEmpty(key))
        {
            throw DaprError.Malformed("\"key\" is a required field");
        }

        var options = Field(item, "options") as JsonObject;
        var concurrency = ParseConcurrency(options is null ? null : Text(Field(options, "concurrency")), "ERR_STATE_TRANSACTION", storeName);
        return new StateDelete(key, Text(Field(item, "etag")), concurrency);
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
