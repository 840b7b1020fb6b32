using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Api;

namespace LocalDapr.Http;

/// <summary>Health, metadata, publish, invocation and secrets over HTTP.</summary>
internal sealed partial class DaprHttpApi
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer",
    };

    private Task HealthAsync(HttpContext context, bool outbound)
    {
        if (context.Request.Query["appid"].FirstOrDefault() is { Length: > 0 } appId && appId != sidecar.AppId)
        {
            throw new DaprError(500, "ERR_HEALTH_APPID_NOT_MATCH", "dapr app-id does not match");
        }

        // Outbound health is ready once components are loaded, before the app channel exists.
        if (!outbound && !sidecar.IsReady)
        {
            throw new DaprError(500, "ERR_HEALTH_NOT_READY", "dapr is not ready: [app]");
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private async Task SetMetadataAsync(HttpContext context, string key)
    {
        var body = await ReadBodyAsync(context);
        sidecar.MetadataApi.Set(Uri.UnescapeDataString(key), System.Text.Encoding.UTF8.GetString(body));
        context.Response.StatusCode = 204;
    }

    private async Task MetadataAsync(HttpContext context)
    {
        var m = sidecar.MetadataApi.Get();
        var actors = new JsonArray(m.ActiveActors.Select(a => (JsonNode)new JsonObject { ["type"] = a.Type, ["count"] = a.Count }).ToArray());
        var body = new JsonObject
        {
            ["id"] = m.AppId,
            ["runtimeVersion"] = m.RuntimeVersion,
            ["enabledFeatures"] = new JsonArray(m.EnabledFeatures.Select(f => (JsonNode)JsonValue.Create(f)).ToArray()),
            ["actors"] = actors,
            ["components"] = new JsonArray(m.Components.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["version"] = c.Version,
                ["capabilities"] = new JsonArray(c.Capabilities.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
            }).ToArray()),
            ["extended"] = new JsonObject(m.Extended.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["subscriptions"] = new JsonArray(m.Subscriptions.Select(s => (JsonNode)new JsonObject
            {
                ["pubsubname"] = s.PubSubName,
                ["topic"] = s.Topic,
                ["metadata"] = new JsonObject(s.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["rules"] = new JsonArray(s.Rules.Select(r => (JsonNode)new JsonObject { ["match"] = r.Match ?? "", ["path"] = r.Path }).ToArray()),
                ["deadLetterTopic"] = s.DeadLetterTopic ?? "",
                ["type"] = s.Type,
            }).ToArray()),
            ["appConnectionProperties"] = new JsonObject
            {
                ["port"] = m.AppPort,
                ["protocol"] = m.AppProtocol,
                ["channelAddress"] = m.AppChannelAddress,
            },
            ["actorRuntime"] = new JsonObject
            {
                ["runtimeStatus"] = "RUNNING",
                ["activeActors"] = actors.DeepClone(),
                ["hostReady"] = m.ActorHostReady,
                ["placement"] = "connected",
            },
        };
        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(body));
    }

    private async Task PublishAsync(HttpContext context, string pubsubName, string topic)
    {
        var body = await ReadBodyAsync(context);
        await sidecar.PublishApi.PublishAsync(pubsubName, topic, body, context.Request.ContentType, QueryMetadata(context.Request), context.RequestAborted);
        context.Response.StatusCode = 204;
    }

    private async Task InvokeAsync(HttpContext context, string appId, string methodPath)
    {
        var body = await ReadBodyAsync(context);
        var headers = context.Request.Headers
            .Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key, h.Value.OfType<string>().ToArray()))
            .ToList();
        var reply = await sidecar.InvokeApi.InvokeAsync(new AppInvocation(
            appId, context.Request.Method, methodPath, context.Request.QueryString.Value ?? "", body, context.Request.ContentType, headers,
            context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1", context.Request.Host.Value ?? ""), context.RequestAborted);

        // Whatever the app answered, status, headers and body go back unchanged (no Dapr error wrapper).
        context.Response.StatusCode = reply.Status;
        foreach (var (name, values) in reply.Headers)
        {
            if (!HopByHop.Contains(name) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values;
            }
        }

        await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted);
    }

    private async Task GetSecretAsync(HttpContext context, string storeName, string name) =>
        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(sidecar.SecretsApi.Get(storeName, name)));

    private async Task GetBulkSecretsAsync(HttpContext context, string storeName) =>
        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(sidecar.SecretsApi.GetBulk(storeName)));
}
