using LocalDapr.PubSub;

namespace LocalDapr.Components;

/// <summary>Everything a sidecar reads from its resources paths.</summary>
public sealed record LoadedResources(
    IReadOnlyList<ComponentSpec> Components,
    IReadOnlyList<DeclarativeSubscription> Subscriptions,
    IReadOnlyList<string> Warnings);

public static class ResourceLoader
{
    public static readonly IReadOnlySet<string> SupportedTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "state.in-memory", "state.redis", "pubsub.in-memory", "pubsub.redis", "secretstores.local.file", "secretstores.local.env",
    };

    public static LoadedResources Load(IEnumerable<string> resourcesPaths, string appId)
    {
        var components = new List<ComponentSpec>();
        var subscriptions = new List<DeclarativeSubscription>();
        var warnings = new List<string>();
        foreach (var path in resourcesPaths)
        {
            foreach (var (file, doc) in ResourceFile.ReadDirectory(path))
            {
                var kind = doc.Str("kind");
                switch (kind)
                {
                    case "Component":
                        var component = ParseComponent(file, doc);
                        if (!component.AppliesTo(appId))
                        {
                            continue;
                        }

                        if (components.Any(c => c.Name == component.Name))
                        {
                            throw new LocalDaprConfigException($"{file}: component name {component.Name} is declared twice");
                        }

                        components.Add(component);
                        break;
                    case "Subscription":
                        var subscription = DeclarativeSubscription.Parse(file, doc);
                        if (subscription.Scopes.Count == 0 || subscription.Scopes.Contains(appId))
                        {
                            subscriptions.Add(subscription);
                        }

                        break;
                    case "Configuration":
                        warnings.Add($"{file}: a Configuration in a resources path is ignored (pass it with --config)");
                        break;
                    case "Resiliency" or "HTTPEndpoint":
                        warnings.Add($"{file}: {kind} resources are not applied by local-dapr");
                        break;
                    default:
                        throw new LocalDaprConfigException($"{file}: unknown resource kind '{kind}'");
                }
            }
        }

        return new LoadedResources(components, subscriptions, warnings);
    }

    public static ComponentSpec ParseComponent(string file, Dictionary<string, object?> doc)
    {
        var metadata = doc.Map("metadata") ?? throw new LocalDaprConfigException($"{file}: component without metadata");
        var name = metadata.Str("name") ?? throw new LocalDaprConfigException($"{file}: component without metadata.name");
        var spec = doc.Map("spec") ?? throw new LocalDaprConfigException($"{file}: component {name} without spec");
        var type = spec.Str("type") ?? throw new LocalDaprConfigException($"{file}: component {name} without spec.type");
        if (!SupportedTypes.Contains(type))
        {
            throw new LocalDaprConfigException(
                $"{file}: component {name} has type '{type}', which local-dapr does not support (supported: {string.Join(", ", SupportedTypes.Order())})");
        }

        var items = new List<MetadataItem>();
        foreach (var raw in spec.List("metadata") ?? [])
        {
            if (raw is null)
            {
                continue;
            }

            var item = ResourceFile.ToStringMap(raw, file);
            var itemName = item.Str("name") ?? throw new LocalDaprConfigException($"{file}: component {name} has a metadata item without a name");
            var secretRef = item.Map("secretKeyRef");
            items.Add(new MetadataItem(itemName, item.Str("value"), secretRef?.Str("name"), secretRef?.Str("key"), item.Str("envRef")));
        }

        var scopes = (doc.List("scopes") ?? []).Select(s => s?.ToString() ?? "").Where(s => s.Length > 0).ToList();
        return new ComponentSpec(name, type, spec.Str("version") ?? "v1", items, scopes, doc.Map("auth")?.Str("secretStore"), file);
    }
}
