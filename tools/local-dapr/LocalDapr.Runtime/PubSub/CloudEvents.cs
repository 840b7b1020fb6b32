using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalDapr.PubSub;

/// <summary>The CloudEvent envelope daprd builds on publish (components-contrib pubsub/envelope.go).</summary>
public static class CloudEvents
{
    public const string ContentType = "application/cloudevents+json";

    public static byte[] Wrap(
        byte[] body,
        string? contentType,
        string appId,
        string pubsubName,
        string topic,
        IReadOnlyDictionary<string, string> metadata,
        DateTimeOffset now)
    {
        JsonObject envelope;
        if (IsCloudEvent(contentType))
        {
            envelope = (TryParse(body) as JsonObject) ?? throw new FormatException("the body is not a CloudEvent JSON object");
            envelope["topic"] = topic;
            envelope["pubsubname"] = pubsubName;
            envelope["time"] ??= FormatTime(now);
            envelope["source"] ??= "Dapr";
            envelope["type"] ??= "com.dapr.event.sent";
            envelope["specversion"] ??= "1.0";
            if (envelope["traceid"] is null)
            {
                envelope["traceid"] = "";
                envelope["traceparent"] = "";
            }

            envelope["tracestate"] ??= "";
        }
        else
        {
            envelope = new JsonObject
            {
                ["id"] = Override(metadata, "id") ?? Guid.NewGuid().ToString(),
                ["source"] = Override(metadata, "source") ?? appId,
                ["type"] = Override(metadata, "type") ?? "com.dapr.event.sent",
                ["specversion"] = "1.0",
                ["datacontenttype"] = string.IsNullOrEmpty(contentType) ? "text/plain" : contentType,
                ["topic"] = topic,
                ["pubsubname"] = pubsubName,
                ["traceid"] = Override(metadata, "traceparent") ?? Override(metadata, "traceid") ?? "",
                ["traceparent"] = Override(metadata, "traceparent") ?? Override(metadata, "traceid") ?? "",
                ["tracestate"] = Override(metadata, "tracestate") ?? "",
                ["time"] = FormatTime(now),
            };
            if (Override(metadata, "subject") is { } subject)
            {
                envelope["subject"] = subject;
            }

            if (IsJson(contentType))
            {
                envelope["data"] = TryParse(body) ?? JsonValue.Create(Encoding.UTF8.GetString(body));
            }
            else if (IsBinary(contentType))
            {
                envelope["data_base64"] = Convert.ToBase64String(body);
            }
            else
            {
                envelope["data"] = Encoding.UTF8.GetString(body);
            }
        }

        if (Ttl(metadata) is { } ttl)
        {
            envelope["expiration"] = now.ToUniversalTime().Add(ttl).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }

    /// <summary>What daprd delivers for a rawPayload subscription: the raw bytes wrapped as data_base64.</summary>
    public static byte[] FromRawPayload(byte[] data, string topic, string pubsubName) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["datacontenttype"] = "application/octet-stream",
            ["source"] = "Dapr",
            ["type"] = "com.dapr.event.sent",
            ["topic"] = topic,
            ["pubsubname"] = pubsubName,
            ["data_base64"] = Convert.ToBase64String(data),
        });

    public static TimeSpan? Ttl(IReadOnlyDictionary<string, string> metadata)
    {
        var raw = metadata.TryGetValue("ttlInSeconds", out var a) ? a : metadata.TryGetValue("ttl", out var b) ? b : null;
        if (raw is null)
        {
            return null;
        }

        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return GoDuration.TryParseGo(raw, out var d) ? d : throw new FormatException($"invalid ttl '{raw}'");
    }

    public static bool IsExpired(JsonObject envelope, DateTimeOffset now) =>
        envelope["expiration"]?.GetValueKind() == JsonValueKind.String
        && DateTimeOffset.TryParse(envelope["expiration"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
        && at <= now;

    // daprd formats time.Now() in the host's zone at second precision.
    private static string FormatTime(DateTimeOffset now) =>
        now.ToLocalTime().ToString(now.ToLocalTime().Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string? Override(IReadOnlyDictionary<string, string> metadata, string field) =>
        metadata.TryGetValue("cloudevent." + field, out var v) ? v : null;

    private static JsonNode? TryParse(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string MediaType(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

    public static bool IsCloudEvent(string? contentType) => MediaType(contentType) == ContentType;

    // Only application/json is parsed; other +json types (problem+json) travel as strings, as in daprd.
    private static bool IsJson(string? contentType) => MediaType(contentType) == "application/json";

    private static bool IsBinary(string? contentType) => MediaType(contentType) is "application/octet-stream" or "application/protobuf" or "application/x-protobuf";
}
