namespace LocalDapr.Components;

/// <summary>The parts of a Dapr Configuration resource (--config) that local-dapr applies.</summary>
public sealed record DaprConfiguration(IReadOnlySet<string> Features, bool DenyInvocationByDefault)
{
    public static DaprConfiguration Default { get; } = new(new HashSet<string>(), false);

    public bool ActorStateTtl => Features.Contains("ActorStateTTL");

    public static DaprConfiguration Load(string? path)
    {
        if (path is null)
        {
            return Default;
        }

        if (!File.Exists(path))
        {
            throw new LocalDaprConfigException($"configuration file {path} does not exist");
        }

        var doc = ResourceFile.ReadDocuments(path).FirstOrDefault(d => d.Str("kind") == "Configuration")
            ?? throw new LocalDaprConfigException($"{path}: no Configuration resource in the file");
        var spec = doc.Map("spec") ?? [];
        var features = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in spec.List("features") ?? [])
        {
            var feature = ResourceFile.ToStringMap(raw, path);
            if (feature.Str("name") is { } name && ComponentMetadata.ParseGoBool(feature.Str("enabled") ?? "false") == true)
            {
                features.Add(name);
            }
        }

        // Without mTLS a caller has no identity, so daprd applies only the global default action.
        var access = spec.Map("accessControl");
        var deny = access is not null
            && (access.Str("defaultAction") is not { } action ? (access.List("policies")?.Count ?? 0) > 0 : action.Equals("deny", StringComparison.OrdinalIgnoreCase));
        return new DaprConfiguration(features, deny);
    }
}
