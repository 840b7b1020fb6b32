using System.Globalization;
using LocalDapr.PubSub;
using LocalDapr.Redis;
using LocalDapr.Secrets;
using LocalDapr.State;

namespace LocalDapr.Components;

public sealed record StateStoreComponent(ComponentSpec Spec, IStateStore Store, string KeyPrefix, bool IsActorStore, RedisConnection? Redis)
{
    public const string Separator = "||";

    public string Key(string key) => KeyPrefix.Length == 0 ? key : KeyPrefix + Separator + key;

    /// <summary>Bulk-get answers and similar strip the prefix again.</summary>
    public string OriginalKey(string storedKey)
    {
        var at = storedKey.IndexOf(Separator, StringComparison.Ordinal);
        return at < 0 ? storedKey : storedKey[(at + Separator.Length)..];
    }
}

public sealed record PubSubComponent(ComponentSpec Spec, IPubSubBroker Broker, string ConsumerId);

public sealed record SecretStoreComponent(ComponentSpec Spec, ISecretStore Store);

/// <summary>The components one sidecar loaded, built from the shared instances the cluster hands out.</summary>
public sealed class ComponentSet
{
    private ComponentSet()
    {
    }

    public Dictionary<string, StateStoreComponent> StateStores { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, PubSubComponent> PubSubs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SecretStoreComponent> SecretStores { get; } = new(StringComparer.Ordinal);
    public List<ComponentSpec> All { get; } = [];
    public StateStoreComponent? ActorStore { get; private set; }

    public static ComponentSet Build(IReadOnlyList<ComponentSpec> specs, string appId, string? ns, SharedComponents shared)
    {
        var set = new ComponentSet();
        // daprd initialises secret stores first so other components can reference them.
        foreach (var spec in specs.Where(s => s.Category == "secretstores"))
        {
            var metadata = set.Resolve(spec, appId, ns);
            ISecretStore store = spec.Type switch
            {
                "secretstores.local.file" => new LocalFileSecretStore(
                    ResolvePath(metadata.Get("secretsFile") ?? throw new LocalDaprConfigException($"{spec.SourceFile}: missing local secrets file in metadata"), spec),
                    metadata.Get("nestedSeparator") ?? ":",
                    metadata.GetBool("multiValued", false)),
                _ => new EnvSecretStore(metadata.Get("prefix")),
            };
            set.SecretStores[spec.Name] = new SecretStoreComponent(spec, store);
            set.All.Add(spec);
        }

        foreach (var spec in specs.Where(s => s.Category != "secretstores"))
        {
            var metadata = set.Resolve(spec, appId, ns);
            switch (spec.Type)
            {
                case "state.in-memory":
                    set.AddState(spec, metadata, shared.InMemoryState(spec.Name), null, appId, ns);
                    break;
                case "state.redis":
                    var redis = shared.Redis(RedisEndpointFrom(metadata, spec));
                    int? ttl = metadata.Get("ttlInSeconds") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : null;
                    set.AddState(spec, metadata, new RedisStateStore(redis, ttl), redis, appId, ns);
                    break;
                case "pubsub.in-memory":
                    set.PubSubs[spec.Name] = new PubSubComponent(spec, shared.InMemoryPubSub(spec.Name), metadata.Get("consumerID") ?? appId);
                    break;
                case "pubsub.redis":
                    var client = shared.Redis(RedisEndpointFrom(metadata, spec));
                    var options = new RedisStreamsOptions(
                        Milliseconds(metadata, "processingTimeout", RedisStreamsOptions.Defaults.ProcessingTimeout),
                        IntegerMilliseconds(metadata, "redeliverInterval", RedisStreamsOptions.Defaults.RedeliverInterval),
                        metadata.GetInt("queueDepth", 100),
                        metadata.GetInt("concurrency", 10),
                        metadata.Get("maxLenApprox") is { } m ? long.Parse(m, CultureInfo.InvariantCulture) : null);
                    set.PubSubs[spec.Name] = new PubSubComponent(spec, shared.RedisPubSub(client, options), metadata.Get("consumerID") ?? appId);
                    break;
            }

            set.All.Add(spec);
        }

        return set;
    }

    private void AddState(ComponentSpec spec, ComponentMetadata metadata, IStateStore store, RedisConnection? redis, string appId, string? ns)
    {
        var prefix = (metadata.Get("keyPrefix") ?? "appid") switch
        {
            var p when p.Equals("appid", StringComparison.OrdinalIgnoreCase) => appId,
            var p when p.Equals("name", StringComparison.OrdinalIgnoreCase) => spec.Name,
            var p when p.Equals("namespace", StringComparison.OrdinalIgnoreCase) => ns is { Length: > 0 } ? $"{ns}.{appId}" : appId,
            var p when p.Equals("none", StringComparison.OrdinalIgnoreCase) => "",
            var p => p.Contains("||", StringComparison.Ordinal) ? throw new LocalDaprConfigException($"{spec.SourceFile}: keyPrefix may not contain ||") : p,
        };
        var isActorStore = metadata.GetBool("actorStateStore", false);
        var component = new StateStoreComponent(spec, store, prefix, isActorStore, redis);
        if (isActorStore)
        {
            if (ActorStore is not null)
            {
                throw new LocalDaprConfigException($"{spec.SourceFile}: more than one state store has actorStateStore: \"true\" ({ActorStore.Spec.Name}, {spec.Name})");
            }

            ActorStore = component;
        }

        StateStores[spec.Name] = component;
    }

    private ComponentMetadata Resolve(ComponentSpec spec, string appId, string? ns)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in spec.Metadata)
        {
            string value;
            if (item.SecretName is { } secretName)
            {
                var storeName = spec.SecretStore
                    ?? throw new LocalDaprConfigException($"{spec.SourceFile}: {spec.Name}.{item.Name} uses secretKeyRef but the component has no auth.secretStore");
                if (!SecretStores.TryGetValue(storeName, out var store))
                {
                    throw new LocalDaprConfigException($"{spec.SourceFile}: {spec.Name} refers to secret store {storeName}, which is not loaded");
                }

                try
                {
                    var secret = store.Store.Get(secretName);
                    var key = item.SecretKey is { Length: > 0 } k ? k : secretName;
                    value = secret.TryGetValue(key, out var v) ? v : throw new SecretNotFoundException($"{secretName}/{key}");
                }
                catch (SecretNotFoundException ex)
                {
                    throw new LocalDaprConfigException($"{spec.SourceFile}: {spec.Name}.{item.Name}: {ex.Message} in {storeName}");
                }
            }
            else if (item.EnvRef is { } envRef)
            {
                value = Environment.GetEnvironmentVariable(envRef) ?? "";
            }
            else
            {
                value = item.Value ?? "";
            }

            values[item.Name] = ExpandTags(value, appId, ns, spec);
        }

        return new ComponentMetadata(values);
    }

    private static string ExpandTags(string value, string appId, string? ns, ComponentSpec spec)
    {
        if (!value.Contains('{', StringComparison.Ordinal))
        {
            return value;
        }

        if (value.Contains("{podName}", StringComparison.Ordinal))
        {
            throw new LocalDaprConfigException($"{spec.SourceFile}: {{podName}} needs a Kubernetes pod name, which a self-hosted sidecar does not have");
        }

        var result = value.Replace("{appID}", appId, StringComparison.Ordinal)
            .Replace("{namespace}", ns is { Length: > 0 } ? $"{ns}.{appId}" : appId, StringComparison.Ordinal);
        // Each {uuid} gets its own UUID, as daprd does.
        while (result.Contains("{uuid}", StringComparison.Ordinal))
        {
            var at = result.IndexOf("{uuid}", StringComparison.Ordinal);
            result = string.Concat(result.AsSpan(0, at), Guid.NewGuid().ToString(), result.AsSpan(at + 6));
        }

        return result;
    }

    private static RedisEndpoint RedisEndpointFrom(ComponentMetadata metadata, ComponentSpec spec)
    {
        if (metadata.GetBool("enableTLS", false))
        {
            throw new LocalDaprConfigException($"{spec.SourceFile}: {spec.Name}: enableTLS is not supported by local-dapr");
        }

        if (metadata.Get("redisType") is { } type && !type.Equals("node", StringComparison.OrdinalIgnoreCase))
        {
            throw new LocalDaprConfigException($"{spec.SourceFile}: {spec.Name}: redisType {type} is not supported by local-dapr (only node)");
        }

        return new RedisEndpoint(metadata.Required("redisHost", spec), metadata.Get("redisUsername"), metadata.Get("redisPassword"), metadata.GetInt("redisDB", 0));
    }

    // processingTimeout: a Go duration, or an integer read as milliseconds.
    private static TimeSpan Milliseconds(ComponentMetadata metadata, string name, TimeSpan fallback)
    {
        var raw = metadata.Get(name);
        if (raw is null)
        {
            return fallback;
        }

        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return GoDuration.TryParseGo(raw, out var d) ? d : fallback;
    }

    // redeliverInterval: contrib parses only an integer (ms); a duration string is silently ignored.
    private static TimeSpan IntegerMilliseconds(ComponentMetadata metadata, string name, TimeSpan fallback) =>
        metadata.Get(name) is { } raw && long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : fallback;

    private static string ResolvePath(string path, ComponentSpec spec)
    {
        if (Path.IsPathRooted(path) || File.Exists(path))
        {
            return path;
        }

        // daprd resolves against its working directory; also accept paths relative to the component file.
        var besideComponent = Path.Combine(Path.GetDirectoryName(spec.SourceFile) ?? ".", path);
        return File.Exists(besideComponent)
            ? besideComponent
            : throw new LocalDaprConfigException($"{spec.SourceFile}: secrets file {path} was not found (relative to {Environment.CurrentDirectory} or to the component)");
    }
}
