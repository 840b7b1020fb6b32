using System.Text.Json;
using LocalDapr.Components;

namespace LocalDapr.PubSub;

public sealed record RouteRule(string? Match, string Path)
{
    public MatchExpression? Compiled { get; init; }
}

/// <summary>A subscription as daprd keeps it, from the app's GET /dapr/subscribe or a Subscription resource.</summary>
public sealed record SubscriptionSpec(
    string PubSubName,
    string Topic,
    IReadOnlyList<RouteRule> Rules,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    string Type)
{
    public bool RawPayload => Metadata.TryGetValue("rawPayload", out var v) && ComponentMetadata.ParseGoBool(v) == true;

    /// <summary>Parses the app's /dapr/subscribe reply. Field names match case-insensitively, as Go's decoder does.</summary>
    public static List<SubscriptionSpec> ParseProgrammatic(byte[] json, ILogger logger)
    {
        var result = new List<SubscriptionSpec>();
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("/dapr/subscribe must answer a JSON array");
        }

        foreach (var element in doc.RootElement.EnumerateArray())
        {
            string? Str(string name) => Prop(element, name) is { ValueKind: JsonValueKind.String } p ? p.GetString() : null;
            var rules = new List<RouteRule>();
            string? defaultPath = null;
            if (Prop(element, "routes") is { ValueKind: JsonValueKind.Object } routes)
            {
                foreach (var rule in Prop(routes, "rules") is { ValueKind: JsonValueKind.Array } r ? r.EnumerateArray() : default)
                {
                    var match = Prop(rule, "match")?.GetString();
                    var path = Prop(rule, "path")?.GetString() ?? "";
                    rules.Add(new RouteRule(match, path));
                }

                defaultPath = Prop(routes, "default")?.GetString();
            }

            if (string.IsNullOrEmpty(defaultPath))
            {
                defaultPath = Str("route");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Prop(element, "metadata") is { ValueKind: JsonValueKind.Object } m)
            {
                foreach (var p in m.EnumerateObject())
                {
                    metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }

            var spec = Build(Str("pubsubname") ?? "", Str("topic") ?? "", rules, defaultPath, Str("deadLetterTopic"), metadata, "PROGRAMMATIC", logger);
            if (spec is not null)
            {
                result.Add(spec);
            }
        }

        return result;
    }

    public static SubscriptionSpec? Build(
        string pubsub, string topic, List<RouteRule> rules, string? defaultPath, string? deadLetter,
        Dictionary<string, string> metadata, string type, ILogger logger)
    {
        if (!string.IsNullOrEmpty(defaultPath))
        {
            rules.Add(new RouteRule(null, defaultPath));
        }

        if (rules.Count == 0)
        {
            logger.SubscriptionWithoutRoute(topic, pubsub);
            return null;
        }

        var compiled = new List<RouteRule>();
        foreach (var rule in rules)
        {
            var path = rule.Path.StartsWith('/') ? rule.Path : "/" + rule.Path;
            try
            {
                compiled.Add(rule with { Path = path, Compiled = string.IsNullOrWhiteSpace(rule.Match) ? null : MatchExpression.Parse(rule.Match) });
            }
            catch (FormatException ex)
            {
                logger.UnsupportedMatch(topic, rule.Match, ex.Message);
                return null;
            }
        }

        return new SubscriptionSpec(pubsub, topic, compiled, string.IsNullOrEmpty(deadLetter) ? null : deadLetter, metadata, type);
    }

    private static JsonElement? Prop(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var p in element.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }
}

/// <summary>A Subscription resource (dapr.io/v1alpha1 with spec.route, or v2alpha1 with spec.routes).</summary>
public sealed record DeclarativeSubscription(string File, string Name, IReadOnlyList<string> Scopes, Dictionary<string, object?> Spec)
{
    public static DeclarativeSubscription Parse(string file, Dictionary<string, object?> doc)
    {
        var name = doc.Map("metadata")?.Str("name") ?? throw new LocalDaprConfigException($"{file}: subscription without metadata.name");
        var spec = doc.Map("spec") ?? throw new LocalDaprConfigException($"{file}: subscription {name} without spec");
        var scopes = (doc.List("scopes") ?? []).Select(s => s?.ToString() ?? "").Where(s => s.Length > 0).ToList();
        return new DeclarativeSubscription(file, name, scopes, spec);
    }

    public SubscriptionSpec? ToSpec(ILogger logger)
    {
        var rules = new List<RouteRule>();
        string? defaultPath = Spec.Str("route");
        if (Spec.Map("routes") is { } routes)
        {
            foreach (var raw in routes.List("rules") ?? [])
            {
                var rule = ResourceFile.ToStringMap(raw, File);
                rules.Add(new RouteRule(rule.Str("match"), rule.Str("path") ?? ""));
            }

            defaultPath = routes.Str("default") is { Length: > 0 } d ? d : defaultPath;
        }

        var metadata = (Spec.Map("metadata") ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "", StringComparer.Ordinal);
        return SubscriptionSpec.Build(Spec.Str("pubsubname") ?? "", Spec.Str("topic") ?? "", rules, defaultPath, Spec.Str("deadLetterTopic"), metadata, "DECLARATIVE", logger);
    }
}
