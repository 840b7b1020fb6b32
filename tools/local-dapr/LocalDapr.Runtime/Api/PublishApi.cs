using Grpc.Core;
using LocalDapr.Components;
using LocalDapr.PubSub;

namespace LocalDapr.Api;

/// <summary>One entry of a bulk publish: its id, the event's bytes, content type and own metadata.</summary>
public sealed record BulkPublishEntry(string EntryId, byte[] Event, string? ContentType, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The publish building block: CloudEvent envelope (unless rawPayload), then the broker; daprd's errors.</summary>
public sealed class PublishApi(string appId, ComponentSet components, TimeProvider time)
{
    public async Task PublishAsync(string pubsubName, string topic, byte[] body, string? contentType, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var pubsub = Validate(pubsubName, topic);
        var data = Envelope(pubsubName, topic, body, contentType, metadata, RawPayload(metadata));
        await SendAsync(pubsub, pubsubName, topic, data, metadata, cancellationToken);
    }

    /// <summary>BulkPublishEvent: each entry is enveloped and sent; the ids of the entries that failed come back with their error.</summary>
    public async Task<IReadOnlyList<(string EntryId, string Error)>> BulkPublishAsync(
        string pubsubName, string topic, IReadOnlyList<BulkPublishEntry> entries, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var pubsub = Validate(pubsubName, topic);
        var raw = RawPayload(metadata);
        var failed = new List<(string, string)>();
        foreach (var entry in entries)
        {
            // Request metadata applies to every entry; an entry's own metadata wins (PopulateMetadataForBulkPublishEntry).
            var merged = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
            foreach (var (k, v) in entry.Metadata)
            {
                merged[k] = v;
            }

            try
            {
                var data = Envelope(pubsubName, topic, entry.Event, entry.ContentType, merged, raw);
                await SendAsync(pubsub, pubsubName, topic, data, merged, cancellationToken);
            }
            catch (DaprError error)
            {
                failed.Add((entry.EntryId, error.Message));
            }
        }

        return failed;
    }

    private PubSubComponent Validate(string pubsubName, string topic)
    {
        if (components.PubSubs.Count == 0)
        {
            throw new DaprError(400, "ERR_PUBSUB_NOT_CONFIGURED", "no pubsub is configured", grpcCode: StatusCode.FailedPrecondition);
        }

        if (pubsubName.Length == 0)
        {
            throw new DaprError(404, "ERR_PUBSUB_EMPTY", "pubsub name is empty", grpcCode: StatusCode.InvalidArgument)
            {
                GrpcDetails = [GrpcErrorDetails.ResourceInfo("pubsub", "", "pubsub name is empty"), GrpcErrorDetails.ErrorInfo("DAPR_PUBSUB_NAME_EMPTY")],
            };
        }

        if (!components.PubSubs.TryGetValue(pubsubName, out var pubsub))
        {
            throw DaprError.PubSubNotFound(pubsubName, appId);
        }

        if (topic.Length == 0)
        {
            var message = $"topic is empty in pubsub {pubsubName}";
            throw new DaprError(404, "ERR_TOPIC_NAME_EMPTY", message, grpcCode: StatusCode.InvalidArgument)
            {
                GrpcDetails = [GrpcErrorDetails.ResourceInfo("pubsub", pubsubName, message), GrpcErrorDetails.ErrorInfo("DAPR_PUBSUB_TOPIC_NAME_EMPTY")],
            };
        }

        return pubsub;
    }

    private static bool RawPayload(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("rawPayload", out var rawValue))
        {
            return false;
        }

        return ComponentMetadata.ParseGoBool(rawValue)
            ?? throw new DaprError(400, "ERR_PUBSUB_REQUEST_METADATA", $"failed deserializing metadata: rawPayload value {rawValue} is not a boolean")
            {
                GrpcDetails = [GrpcErrorDetails.ErrorInfo("DAPR_PUBSUB_METADATA_DESERIALIZATION")],
            };
    }

    private byte[] Envelope(string pubsubName, string topic, byte[] body, string? contentType, IReadOnlyDictionary<string, string> metadata, bool raw)
    {
        if (raw)
        {
            return body;
        }

        try
        {
            return CloudEvents.Wrap(body, contentType, appId, pubsubName, topic, metadata, time.GetUtcNow());
        }
        catch (FormatException ex)
        {
            throw new DaprError(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", $"cannot create cloudevent for topic {topic} in pubsub {pubsubName}: {ex.Message}", grpcCode: StatusCode.InvalidArgument)
            {
                GrpcMessage = "cannot create cloudevent",
                GrpcDetails = [GrpcErrorDetails.ResourceInfo("pubsub", pubsubName, "cannot create cloudevent"),
                    GrpcErrorDetails.ErrorInfo("DAPR_PUBSUB_CLOUD_EVENT_CREATION", new Dictionary<string, string> { ["appID"] = appId, ["error"] = ex.Message })],
            };
        }
    }

    private static async Task SendAsync(PubSubComponent pubsub, string pubsubName, string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        try
        {
            await pubsub.Broker.PublishAsync(topic, data, metadata, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_PUBSUB_PUBLISH_MESSAGE", $"error when publish to topic {topic} in pubsub {pubsubName}: {ex.Message}")
            {
                GrpcMessage = $"error when publishing to topic {topic} in pubsub {pubsubName}: {ex.Message}",
                GrpcDetails = [GrpcErrorDetails.ResourceInfo("pubsub", pubsubName, $"error when publishing to topic {topic} in pubsub {pubsubName}: {ex.Message}"),
                    GrpcErrorDetails.ErrorInfo("DAPR_PUBSUB_PUBLISH_MESSAGE", new Dictionary<string, string> { ["topic"] = topic, ["error"] = ex.Message })],
            };
        }
    }
}
