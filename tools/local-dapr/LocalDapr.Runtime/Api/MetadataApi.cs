using LocalDapr.Hosting;
using LocalDapr.PubSub;

namespace LocalDapr.Api;

public sealed record ComponentInfo(string Name, string Type, string Version, IReadOnlyList<string> Capabilities);

public sealed record ActorCount(string Type, int Count);

/// <summary>What GET /v1.0/metadata and gRPC GetMetadata report, in one shape for both front ends.</summary>
public sealed record MetadataSnapshot(
    string AppId,
    string RuntimeVersion,
    IReadOnlyList<string> EnabledFeatures,
    IReadOnlyList<ActorCount> ActiveActors,
    bool ActorHostReady,
    IReadOnlyList<ComponentInfo> Components,
    IReadOnlyDictionary<string, string> Extended,
    IReadOnlyList<SubscriptionSpec> Subscriptions,
    int AppPort,
    string AppProtocol,
    string AppChannelAddress);

/// <summary>Metadata (get, set extended attributes) and shutdown.</summary>
public sealed class MetadataApi(Sidecar sidecar)
{
    public const string RuntimeVersion = "1.16.0-local";

    public MetadataSnapshot Get()
    {
        var extended = new Dictionary<string, string>(StringComparer.Ordinal) { ["daprRuntimeVersion"] = RuntimeVersion };
        lock (sidecar.ExtendedMetadata)
        {
            foreach (var (k, v) in sidecar.ExtendedMetadata)
            {
                extended[k] = v;
            }
        }

        var actors = sidecar.Actors;
        return new MetadataSnapshot(
            sidecar.AppId,
            RuntimeVersion,
            sidecar.Configuration.Features.ToList(),
            (actors?.Config.Entities ?? []).Select(t => new ActorCount(t, actors!.ActiveCount(t))).ToList(),
            actors is not null,
            sidecar.Components.All.Select(c => new ComponentInfo(c.Name, c.Type, c.Version, Capabilities(c.Name).ToList())).ToList(),
            extended,
            sidecar.Subscriptions,
            sidecar.Options.AppPort ?? 0,
            sidecar.Options.AppProtocol,
            sidecar.Options.AppChannelAddress);
    }

    public void Set(string key, string value)
    {
        lock (sidecar.ExtendedMetadata)
        {
            sidecar.ExtendedMetadata[key] = value;
        }
    }

    /// <summary>Answers first, then stops: daprd acknowledges the call before it shuts down.</summary>
    public void Shutdown() => _ = Task.Run(sidecar.RequestShutdown);

    private IEnumerable<string> Capabilities(string componentName) =>
        sidecar.Components.StateStores.TryGetValue(componentName, out var state)
            ? state.Store.Features.Where(f => f != "ACTOR" || state.IsActorStore)
            : [];
}
