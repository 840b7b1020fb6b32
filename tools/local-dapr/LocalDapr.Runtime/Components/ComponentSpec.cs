namespace LocalDapr.Components;

/// <summary>One metadata item as written in the YAML, before secrets, env refs and template tags are resolved.</summary>
public sealed record MetadataItem(string Name, string? Value, string? SecretName, string? SecretKey, string? EnvRef);

/// <summary>A Dapr Component resource (apiVersion dapr.io/v1alpha1, kind Component).</summary>
public sealed record ComponentSpec(
    string Name,
    string Type,
    string Version,
    IReadOnlyList<MetadataItem> Metadata,
    IReadOnlyList<string> Scopes,
    string? SecretStore,
    string SourceFile)
{
    public string Category => Type.Split('.')[0];

    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}

/// <summary>Component metadata after resolution for one sidecar. Names match case-insensitively, as in components-contrib.</summary>
public sealed class ComponentMetadata(IReadOnlyDictionary<string, string> values)
{
    private readonly Dictionary<string, string> _values = new(values, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, string> All => _values;

    public string? Get(string name) => _values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public string Required(string name, ComponentSpec spec) =>
        Get(name) ?? throw new LocalDaprConfigException($"{spec.SourceFile}: component {spec.Name} ({spec.Type}) needs metadata '{name}'");

    public bool GetBool(string name, bool fallback) => Get(name) is { } v ? ParseGoBool(v) ?? fallback : fallback;

    public int GetInt(string name, int fallback) =>
        Get(name) is { } v && int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : fallback;

    /// <summary>Go's strconv.ParseBool.</summary>
    public static bool? ParseGoBool(string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };
}
