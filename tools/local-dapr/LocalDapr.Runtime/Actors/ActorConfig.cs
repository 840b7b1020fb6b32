using System.Text.Json;

namespace LocalDapr.Actors;

/// <summary>The app's answer to GET /dapr/config: hosted types and their idle timeouts (per-type overrides included).</summary>
public sealed record ActorConfig(IReadOnlyList<string> Entities, IReadOnlyDictionary<string, TimeSpan> IdleTimeouts, TimeSpan DefaultIdleTimeout, bool Reentrancy)
{
    public static readonly TimeSpan DaprDefaultIdleTimeout = TimeSpan.FromMinutes(60);

    public static ActorConfig Empty { get; } = new([], new Dictionary<string, TimeSpan>(), DaprDefaultIdleTimeout, false);

    public TimeSpan IdleTimeout(string actorType) => IdleTimeouts.TryGetValue(actorType, out var t) ? t : DefaultIdleTimeout;

    public static ActorConfig Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var entities = Strings(Prop(root, "entities"));
        var idle = Duration(Prop(root, "actorIdleTimeout")) ?? DaprDefaultIdleTimeout;
        var perType = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (Prop(root, "entitiesConfig") is { ValueKind: JsonValueKind.Array } configs)
        {
            foreach (var config in configs.EnumerateArray())
            {
                if (Duration(Prop(config, "actorIdleTimeout")) is { } t)
                {
                    foreach (var type in Strings(Prop(config, "entities")))
                    {
                        perType[type] = t;
                    }
                }
            }
        }

        var reentrancy = Prop(root, "reentrancy") is { ValueKind: JsonValueKind.Object } r && Prop(r, "enabled") is { ValueKind: JsonValueKind.True };
        return new ActorConfig(entities, perType, idle, reentrancy);
    }

    private static List<string> Strings(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().Select(e => e.GetString() ?? "").Where(s => s.Length > 0).ToList() : [];

    private static TimeSpan? Duration(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.String } s && GoDuration.TryParseGo(s.GetString()!, out var d) && d > TimeSpan.Zero ? d : null;

    private static JsonElement? Prop(JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in element.EnumerateObject())
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return p.Value;
                }
            }
        }

        return null;
    }
}
