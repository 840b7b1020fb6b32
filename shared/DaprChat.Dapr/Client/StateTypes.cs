using System.Globalization;
using System.Text.Json;

namespace DaprChat.Dapr;

/// <summary>How a write treats a concurrent writer; daprd sends these as <c>first-write</c> / <c>last-write</c>.</summary>
public enum ConcurrencyMode
{
    FirstWrite,
    LastWrite,
}

/// <summary>Read/write consistency; daprd sends these as <c>eventual</c> / <c>strong</c>.</summary>
public enum ConsistencyMode
{
    Eventual,
    Strong,
}

/// <summary>The <c>options</c> object of a state request. Null members are left out, so the store's default applies.</summary>
public sealed record StateOptions
{
    public ConcurrencyMode? Concurrency { get; init; }
    public ConsistencyMode? Consistency { get; init; }
}

/// <summary>One item of a bulk save. <see cref="Value"/> is serialised by its runtime type with the client's options.</summary>
public sealed record SaveStateItem(
    string Key,
    object? Value,
    string? ETag = null,
    StateOptions? Options = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>
/// One key of a bulk get. <see cref="Value"/> is the stored JSON text (daprd's <c>data</c>), null when the key is
/// missing; <see cref="Error"/> is set when the store failed on this key alone.
/// </summary>
public sealed record BulkStateItem(
    string Key,
    string? Value,
    string? ETag,
    IReadOnlyDictionary<string, string>? Metadata = null,
    string? Error = null)
{
    public bool Found => Value is not null;
}

/// <summary>A bulk get item with its value deserialised.</summary>
public sealed record BulkStateItem<TValue>(
    string Key,
    TValue? Value,
    string? ETag,
    IReadOnlyDictionary<string, string>? Metadata = null,
    string? Error = null,
    bool Found = false);

public enum StateOperationType
{
    Upsert,
    Delete,
}

/// <summary>One operation of a state transaction. <see cref="Value"/> is serialised by its runtime type with the client's options.</summary>
public sealed record StateTransactionRequest(
    string Key,
    object? Value,
    StateOperationType OperationType,
    string? ETag = null,
    IReadOnlyDictionary<string, string>? Metadata = null,
    StateOptions? Options = null)
{
    public static StateTransactionRequest Upsert(string key, object? value, string? etag = null,
        IReadOnlyDictionary<string, string>? metadata = null, StateOptions? options = null) =>
        new(key, value, StateOperationType.Upsert, etag, metadata, options);

    public static StateTransactionRequest Delete(string key, string? etag = null,
        IReadOnlyDictionary<string, string>? metadata = null, StateOptions? options = null) =>
        new(key, null, StateOperationType.Delete, etag, metadata, options);
}

/// <summary>Well-known state request metadata.</summary>
public static class StateMetadata
{
    /// <summary>Per-key TTL; daprd requires the value as a string of whole seconds (a JSON number is a 400).</summary>
    public const string TtlInSeconds = "ttlInSeconds";

    /// <summary>Response metadata (header <c>metadata.ttlExpireTime</c>) some stores return; state.redis does not.</summary>
    public const string TtlExpireTime = "ttlExpireTime";

    /// <summary><c>{"ttlInSeconds":"&lt;seconds&gt;"}</c>, rounded up to a whole second so a short TTL never becomes "no TTL".</summary>
    public static IReadOnlyDictionary<string, string> Ttl(TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var seconds = (long)Math.Ceiling(ttl.TotalSeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, int.MaxValue, nameof(ttl));
        return new Dictionary<string, string> { [TtlInSeconds] = seconds.ToString(CultureInfo.InvariantCulture) };
    }

    /// <summary><c>ttlInSeconds = -1</c>: never expire, overriding a default TTL set on the component.</summary>
    public static IReadOnlyDictionary<string, string> NeverExpire() =>
        new Dictionary<string, string> { [TtlInSeconds] = "-1" };
}

internal static class StateJson
{
    public static string ToWire(this ConcurrencyMode mode) => mode == ConcurrencyMode.FirstWrite ? "first-write" : "last-write";

    public static string ToWire(this ConsistencyMode mode) => mode == ConsistencyMode.Strong ? "strong" : "eventual";

    public static void WriteOptions(Utf8JsonWriter writer, StateOptions? options)
    {
        if (options is null || (options.Concurrency is null && options.Consistency is null))
        {
            return;
        }

        writer.WriteStartObject("options");
        if (options.Concurrency is { } concurrency)
        {
            writer.WriteString("concurrency", concurrency.ToWire());
        }

        if (options.Consistency is { } consistency)
        {
            writer.WriteString("consistency", consistency.ToWire());
        }

        writer.WriteEndObject();
    }

    public static void WriteStringMap(Utf8JsonWriter writer, string propertyName, IReadOnlyDictionary<string, string>? map, bool always = false)
    {
        if (!always && (map is null || map.Count == 0))
        {
            return;
        }

        writer.WriteStartObject(propertyName);
        foreach (var (key, value) in map ?? new Dictionary<string, string>())
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        writer.WritePropertyName("value");
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
        }
    }
}
