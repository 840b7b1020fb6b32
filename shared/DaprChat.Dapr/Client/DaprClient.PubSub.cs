using System.Net.Http.Headers;

namespace DaprChat.Dapr;

public sealed partial class DaprClient
{
    /// <summary>
    /// <c>POST /v1.0/publish/{pubsub}/{topic}</c> with a JSON body (<c>Content-Type: application/json</c>); daprd wraps it
    /// in a CloudEvent whose <c>data</c> is this JSON. Metadata travel as <c>metadata.&lt;k&gt;</c> query parameters.
    /// </summary>
    public Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var request = NewPublishRequest(pubsubName, topicName, metadata, JsonContent(data));
        return SendAndDisposeAsync(request, cancellationToken);
    }

    /// <summary>
    /// Publishes bytes with their own content type: <c>application/json</c> becomes <c>data</c>,
    /// <c>application/octet-stream</c> becomes <c>data_base64</c>, <c>application/cloudevents+json</c> is taken as the
    /// envelope itself, anything else becomes a string <c>data</c>.
    /// </summary>
    public Task PublishByteEventAsync(string pubsubName, string topicName, ReadOnlyMemory<byte> data,
        string dataContentType = "application/json", IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataContentType);
        var content = new ByteArrayContent(data.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(dataContentType);
        var request = NewPublishRequest(pubsubName, topicName, metadata, content);
        return SendAndDisposeAsync(request, cancellationToken);
    }

    /// <summary>
    /// Publishes the JSON of <paramref name="data"/> with <c>metadata.rawPayload=true</c>: no CloudEvent, the broker gets
    /// the bytes as they are (for non-Dapr consumers).
    /// </summary>
    public Task PublishRawEventAsync<TData>(string pubsubName, string topicName, TData data,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                merged[key] = value;
            }
        }

        merged[PubSubMetadata.RawPayload] = "true";
        var request = NewPublishRequest(pubsubName, topicName, merged, JsonContent(data));
        return SendAndDisposeAsync(request, cancellationToken);
    }

    private HttpRequestMessage NewPublishRequest(string pubsubName, string topicName,
        IReadOnlyDictionary<string, string>? metadata, HttpContent content)
    {
        ArgumentException.ThrowIfNullOrEmpty(pubsubName);
        ArgumentException.ThrowIfNullOrEmpty(topicName);
        // daprd's publish route takes the topic as a wildcard tail, so a '/' inside a topic stays a '/'.
        return NewRequest(HttpMethod.Post, $"/v1.0/publish/{DaprUrl.Segment(pubsubName)}/{DaprUrl.Path(topicName)}",
            DaprQuery.ForMetadata(metadata), content);
    }
}

/// <summary>Well-known publish and subscription metadata keys.</summary>
public static class PubSubMetadata
{
    /// <summary>"true": publish without a CloudEvent envelope / deliver raw bytes to the subscriber.</summary>
    public const string RawPayload = "rawPayload";

    /// <summary>Message TTL in seconds (daprd adds <c>expiration</c> when the broker has no native TTL).</summary>
    public const string TtlInSeconds = "ttlInSeconds";

    /// <summary>Overrides the CloudEvent <c>id</c> (e.g. for idempotent consumers).</summary>
    public const string CloudEventId = "cloudevent.id";

    /// <summary>Overrides the CloudEvent <c>type</c>.</summary>
    public const string CloudEventType = "cloudevent.type";
}
