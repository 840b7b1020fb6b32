using System.Globalization;
using System.Text.Json;

namespace LocalDapr.Secrets;

public sealed class SecretNotFoundException(string name) : Exception($"secret {name} not found");

public interface ISecretStore
{
    /// <summary>The secret's key/value map; throws <see cref="SecretNotFoundException"/> when it does not exist.</summary>
    IReadOnlyDictionary<string, string> Get(string name);

    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetAll();
}

/// <summary>secretstores.local.file: a JSON file read once at start, flattened with nestedSeparator unless multiValued.</summary>
public sealed class LocalFileSecretStore : ISecretStore
{
    private readonly Dictionary<string, Dictionary<string, string>> _secrets = new(StringComparer.Ordinal);

    public LocalFileSecretStore(string path, string separator, bool multiValued)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path} must hold a JSON object");
        }

        foreach (var top in doc.RootElement.EnumerateObject())
        {
            if (multiValued)
            {
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                if (top.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var inner in top.Value.EnumerateObject())
                    {
                        Flatten(inner.Name, inner.Value, separator, values);
                    }
                }
                else
                {
                    values[top.Name] = Text(top.Value);
                }

                _secrets[top.Name] = values;
            }
            else
            {
                var flat = new Dictionary<string, string>(StringComparer.Ordinal);
                Flatten(top.Name, top.Value, separator, flat);
                foreach (var (key, value) in flat)
                {
                    if (!_secrets.TryAdd(key, new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value }))
                    {
                        throw new FormatException($"{path}: duplicate secret key {key}");
                    }
                }
            }
        }
    }

    public IReadOnlyDictionary<string, string> Get(string name) =>
        _secrets.TryGetValue(name, out var values) ? values : throw new SecretNotFoundException(name);

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetAll() =>
        _secrets.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value, StringComparer.Ordinal);

    private static void Flatten(string prefix, JsonElement value, string separator, Dictionary<string, string> into)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in value.EnumerateObject())
                {
                    Flatten(prefix + separator + p.Name, p.Value, separator, into);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Flatten(prefix + separator + (i++).ToString(CultureInfo.InvariantCulture), item, separator, into);
                }

                break;
            default:
                into[prefix] = Text(value);
                break;
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };
}

/// <summary>secretstores.local.env: a missing variable is an empty value, and Dapr's own tokens are never exposed.</summary>
public sealed class EnvSecretStore(string? prefix) : ISecretStore
{
    public IReadOnlyDictionary<string, string> Get(string name)
    {
        var value = IsBlocked(name) ? "" : Environment.GetEnvironmentVariable((prefix ?? "") + name) ?? "";
        return new Dictionary<string, string>(StringComparer.Ordinal) { [name] = value };
    }

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetAll()
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (prefix is { Length: > 0 } && !key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = prefix is { Length: > 0 } ? key[prefix.Length..] : key;
            if (!IsBlocked(name) && !IsBlocked(key))
            {
                result[name] = new Dictionary<string, string>(StringComparer.Ordinal) { [name] = (string?)entry.Value ?? "" };
            }
        }

        return result;
    }

    private static bool IsBlocked(string name) => name == "APP_API_TOKEN" || name.StartsWith("DAPR_", StringComparison.Ordinal);
}
