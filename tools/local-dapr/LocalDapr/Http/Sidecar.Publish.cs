using LocalDapr.Components;
using LocalDapr.Http;
using LocalDapr.PubSub;

namespace LocalDapr.Hosting;

/// <summary>The publish API: /v1.0/publish/{pubsub}/{topic...}.</summary>
public sealed partial class Sidecar
{
    private async Task PublishAsync(HttpContext context, string pubsubName, string topic)
    {
        if (Components.PubSubs.Count == 0)
        {
            throw new DaprError(400, "ERR_PUBSUB_NOT_CONFIGURED", "no pubsub is configured");
        }

        if (pubsubName.Length == 0)
        {
            throw new DaprError(404, "ERR_PUBSUB_EMPTY", "pubsub name is empty");
        }

        if (!Components.PubSubs.TryGetValue(pubsubName, out var pubsub))
        {
            throw DaprError.PubSubNotFound(pubsubName, AppId);
        }

        if (topic.Length == 0)
        {
            throw new DaprError(404, "ERR_TOPIC_NAME_EMPTY", $"topic is empty in pubsub {pubsubName}");
        }

        var metadata = QueryMetadata(context.Request);
        var raw = false;
        if (metadata.TryGetValue("rawPayload", out var rawValue))
        {
            raw = ComponentMetadata.ParseGoBool(rawValue)
                ?? throw new DaprError(400, "ERR_PUBSUB_REQUEST_METADATA", $"failed deserializing metadata: rawPayload value {rawValue} is not a boolean");
        }

        var body = await ReadBodyAsync(context);
        byte[] data;
        if (raw)
        {
            data = body;
        }
        else
        {
            try
            {
                data = CloudEvents.Wrap(body, context.Request.ContentType, AppId, pubsubName, topic, metadata, Cluster.Time.GetUtcNow());
            }
            catch (FormatException ex)
            {
                throw new DaprError(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", $"cannot create cloudevent for topic {topic} in pubsub {pubsubName}: {ex.Message}");
            }
        }

        try
        {
            await pubsub.Broker.PublishAsync(topic, data, metadata, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_PUBSUB_PUBLISH_MESSAGE", $"error when publish to topic {topic} in pubsub {pubsubName}: {ex.Message}");
        }

        context.Response.StatusCode = 204;
    }
}
