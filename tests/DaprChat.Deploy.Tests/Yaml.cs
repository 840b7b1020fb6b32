using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace DaprChat.Deploy.Tests;

/// <summary>
/// YAML as plain data: maps are <see cref="Dictionary{TKey,TValue}"/>, sequences <see cref="List{T}"/>, scalars strings
/// (so "true", true and "8080", 8080 compare as the API server would after its own decoding).
/// </summary>
public static class Yaml
{
    public static List<Dictionary<string, object?>> ReadDocuments(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InvalidDataException($"{source}: not valid YAML: {ex.Message}", ex);
        }

        return stream.Documents
            .Select(d => Convert(d.RootNode))
            .OfType<Dictionary<string, object?>>()
            .ToList();
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => Convert(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(Convert).ToList(),
        YamlScalarNode { Value: var v, Style: YamlDotNet.Core.ScalarStyle.Plain } when v is "null" or "~" or "" => null,
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    public static Dictionary<string, object?>? Map(this Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var v) ? v as Dictionary<string, object?> : null;

    public static List<object?> List(this Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var v) && v is List<object?> list ? list : [];

    public static IEnumerable<Dictionary<string, object?>> Maps(this Dictionary<string, object?>? map, string key) =>
        map.List(key).OfType<Dictionary<string, object?>>();

    public static string? Str(this Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var v) ? v as string : null;

    public static IEnumerable<string> Strings(this Dictionary<string, object?>? map, string key) => map.List(key).OfType<string>();

    public static Dictionary<string, object?>? At(this Dictionary<string, object?>? map, params string[] path) =>
        path.Aggregate(map, (m, key) => m.Map(key));

    public static int? Int(this Dictionary<string, object?>? map, string key) =>
        int.TryParse(map.Str(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;

    public static bool IsTrue(this Dictionary<string, object?>? map, string key) =>
        string.Equals(map.Str(key), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Dapr component metadata as name → (value, secretKeyRef).</summary>
    public static Dictionary<string, Dictionary<string, object?>> ComponentMetadata(this Dictionary<string, object?> component) =>
        component.At("spec").Maps("metadata")
            .Where(m => m.Str("name") is not null)
            .ToDictionary(m => m.Str("name")!, m => m, StringComparer.OrdinalIgnoreCase);
}
