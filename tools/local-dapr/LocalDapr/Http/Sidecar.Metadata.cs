using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Http;

namespace LocalDapr.Hosting;

/// <summary>Health, metadata and the values SDKs probe on start.</summary>
public sealed partial class Sidecar
{
    public const string RuntimeVersion = "1.16.0-local";

    private async Task HealthAsync(HttpContext context, bool outbound)
    {
        if (context.Request.Query["appid"].FirstOrDefault() is { Length: > 0 } appId && appId != AppId)
        {
            throw new DaprError(500, "ERR_HEALTH_APPID_NOT_MATCH", "dapr app-id does not match");
        }

        // Outbound health is ready once components are loaded, before the app channel exists.
        if (!outbound && !IsReady)
        {
            throw new DaprError(500, "ERR_HEALTH_NOT_READY", "dapr is not ready: [app]");
        }

        context.Response.StatusCode = 204;
        await Task.CompletedTask;
    }

    private async Task SetMetadataAsync(HttpContext context, string key)
    {
        var body = await ReadBodyAsync(context);
        lock (ExtendedMetadata)
        {
            ExtendedMetadata[Uri.UnescapeDataString(key)] = System.Text.Encoding.UTF8.GetString(body);
        }

        context.Response.StatusCode = 204;
    }

    private async Task MetadataAsync(HttpContext context)
    {
        var extended = new JsonObject { ["daprRuntimeVersion"] = RuntimeVersion };
        lock (ExtendedMetadata)
        {
            foreach (var (k, v) in ExtendedMetadata)
            {
                extended[k] = v;
            }
        }

        var body = new JsonObject
        {
            ["id"] = AppId,
            ["runtimeVersion"] = RuntimeVersion,
            ["enabledFeatures"] = new JsonArray(Configuration.Features.Select(f => (JsonNode)JsonValue.Create(f)).ToArray()),
            ["actors"] = new JsonArray((Actors?.Config.Entities ?? []).Select(t => (JsonNode)new JsonObject { ["type"] = t, ["count"] = Actors!.ActiveCount(t) }).ToArray()),
            ["components"] = new JsonArray(Components.All.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["version"] = c.Version,
                ["capabilities"] = new JsonArray(Capabilities(c.Name).Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
            }).ToArray()),
            ["extended"] = extended,
            ["subscriptions"] = new JsonArray(Subscriptions.Select(s => (JsonNode)new JsonObject
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
                ["port"] = Options.AppPort ?? 0,
                ["protocol"] = Options.AppProtocol,
                ["channelAddress"] = Options.AppChannelAddress,
            },
            ["actorRuntime"] = new JsonObject
            {
                ["runtimeStatus"] = "RUNNING",
                ["activeActors"] = new JsonArray((Actors?.Config.Entities ?? []).Select(t => (JsonNode)new JsonObject { ["type"] = t, ["count"] = Actors!.ActiveCount(t) }).ToArray()),
                ["hostReady"] = Actors is not null,
                ["placement"] = "connected",
            },
        };
        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(body));
    }

    private IEnumerable<string> Capabilities(string componentName)
    {
        if (Components.StateStores.TryGetValue(componentName, out var state))
        {
            return state.Store.Features.Where(f => f != "ACTOR" || state.IsActorStore);
        }

        return [];
    }
}
