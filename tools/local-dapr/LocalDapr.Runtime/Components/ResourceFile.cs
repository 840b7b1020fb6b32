using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace LocalDapr.Components;

/// <summary>Reads the YAML documents of Dapr resource files (Component, Subscription, Configuration, …) as plain maps.</summary>
public static class ResourceFile
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static IEnumerable<(string File, Dictionary<string, object?> Document)> ReadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new LocalDaprConfigException($"resources path {directory} does not exist");
        }

        // daprd reads the folder itself, not its sub-folders.
        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var document in ReadDocuments(file))
            {
                yield return (file, document);
            }
        }
    }

    public static List<Dictionary<string, object?>> ReadDocuments(string file)
    {
        var documents = new List<Dictionary<string, object?>>();
        using var reader = new StreamReader(file);
        var parser = new Parser(reader);
        try
        {
            parser.Consume<StreamStart>();
            while (parser.Accept<DocumentStart>(out _))
            {
                var value = Deserializer.Deserialize<object?>(parser);
                if (value is null)
                {
                    continue;
                }

                documents.Add(ToStringMap(value, file));
            }
        }
        catch (YamlException ex)
        {
            throw new LocalDaprConfigException($"{file}: invalid YAML at line {ex.Start.Line}: {ex.Message}");
        }

        return documents;
    }

    public static Dictionary<string, object?> ToStringMap(object? value, string file)
    {
        if (value is not IDictionary<object, object?> map)
        {
            throw new LocalDaprConfigException($"{file}: expected a YAML mapping");
        }

        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, item) in map)
        {
            result[key.ToString() ?? ""] = item is IDictionary<object, object?> ? ToStringMap(item, file) : item;
        }

        return result;
    }

    public static Dictionary<string, object?>? Map(this Dictionary<string, object?> map, string key) =>
        Find(map, key) as Dictionary<string, object?>;

    public static string? Str(this Dictionary<string, object?> map, string key) => Find(map, key) switch
    {
        null => null,
        string s => s,
        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
    };

    public static List<object?>? List(this Dictionary<string, object?> map, string key) => Find(map, key) as List<object?>;

    // Go's JSON/YAML decoding in daprd matches field names case-insensitively.
    private static object? Find(Dictionary<string, object?> map, string key)
    {
        if (map.TryGetValue(key, out var exact))
        {
            return exact;
        }

        foreach (var (k, v) in map)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }
}

public sealed class LocalDaprConfigException(string message) : Exception(message);
