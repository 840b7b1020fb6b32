using DaprChat.Contracts;

namespace DaprChat.Deploy.Tests.Rules;

/// <summary>Dapr Components against <see cref="DaprTopology"/>: names, types, scopes, topics, the actor store, encryption.</summary>
public static class ComponentRules
{
    public static readonly string[] StateStores = [DaprNames.StateStores.Chat, DaprNames.StateStores.Users, DaprNames.StateStores.Summaries];
    public static readonly string[] PubSubs = [DaprNames.PubSubs.Events, DaprNames.PubSubs.Fanout];

    /// <summary>Every name declared once, of the right kind, and scoped to exactly the apps whose code uses it.</summary>
    public static IEnumerable<string> NamesAndScopes(ResourceSet set)
    {
        var components = set.Of("Component").ToList();
        foreach (var duplicate in components.GroupBy(c => c.Name).Where(g => g.Count() > 1))
        {
            yield return $"Component/{duplicate.Key} is declared {duplicate.Count()} times";
        }

        var expected = StateStores.Select(s => (Name: s, Type: "state.", Users: DaprTopology.UsersOfStateStore(s)))
            .Concat(PubSubs.Select(p => (Name: p, Type: "pubsub.", Users: DaprTopology.UsersOfPubSub(p))))
            .Append((Name: DaprNames.SecretStore, Type: "secretstores.", Users: DaprTopology.UsersOfSecretStore()))
            .ToList();
        foreach (var component in components)
        {
            if (expected.All(e => e.Name != component.Name))
            {
                yield return $"{component.Label} is declared but no app uses it (DaprTopology names {string.Join(", ", expected.Select(e => e.Name))})";
            }
        }

        foreach (var (name, type, users) in expected)
        {
            var component = components.FirstOrDefault(c => c.Name == name);
            if (component is null)
            {
                yield return $"Component/{name} is missing, but {string.Join(" and ", users)} use it";
                continue;
            }

            if (component.Root.At("spec").Str("type") is not { } actual || !actual.StartsWith(type, StringComparison.Ordinal))
            {
                yield return $"{component.Label} has type {component.Root.At("spec").Str("type") ?? "(none)"}, expected a {type}* component";
            }

            var scopes = component.Root.Strings("scopes").ToHashSet(StringComparer.Ordinal);
            if (scopes.Count == 0)
            {
                yield return $"{component.Label} has no scopes: every app's sidecar would load it";
                continue;
            }

            foreach (var extra in scopes.Except(users))
            {
                yield return $"{component.Label} is scoped to {extra}, whose code does not use it";
            }

            foreach (var missing in users.Except(scopes))
            {
                yield return $"{component.Label} is not scoped to {missing}, whose code uses it";
            }
        }
    }

    /// <summary>Only the topology's actor state store says actorStateStore, and every app hosting actors or workflows has it.</summary>
    public static IEnumerable<string> ActorStateStore(ResourceSet set)
    {
        foreach (var component in set.Of("Component"))
        {
            var isActorStore = component.Root.ComponentMetadata().TryGetValue("actorStateStore", out var item) && item.IsTrue("value");
            var hosts = DaprTopology.Apps.Where(a => a.ActorStateStore == component.Name).Select(a => a.AppId).ToList();
            if (isActorStore && hosts.Count == 0)
            {
                yield return $"{component.Label} says actorStateStore, but no app keeps actor state in it";
            }
            else if (!isActorStore && hosts.Count > 0)
            {
                yield return $"{component.Label} lacks actorStateStore: \"true\", but {string.Join(" and ", hosts)} keep actor (and workflow) state in it";
            }
        }
    }

    /// <summary>allowedTopics and publishing / subscription scopes of each pub/sub say exactly what the topology says.</summary>
    public static IEnumerable<string> TopicScopes(ResourceSet set)
    {
        foreach (var pubsub in PubSubs)
        {
            if (set.Find("Component", pubsub) is not { } component)
            {
                continue;
            }

            var metadata = component.Root.ComponentMetadata();
            var uses = DaprTopology.Apps.Where(a => a.PubSubs.Contains(pubsub)).ToList();
            var topics = uses.SelectMany(a => a.MayPublish.Concat(a.MaySubscribe)).Where(t => t.PubSub == pubsub).Select(t => t.Topic).ToHashSet();
            var allowed = Topics(metadata.GetValueOrDefault("allowedTopics").Str("value"));
            foreach (var problem in SameSet($"{component.Label} allowedTopics", allowed, topics))
            {
                yield return problem;
            }

            foreach (var (scope, select) in new (string, Func<AppTopology, IEnumerable<TopicUse>>)[] { ("publishingScopes", a => a.MayPublish), ("subscriptionScopes", a => a.MaySubscribe) })
            {
                var perApp = AppTopics(metadata.GetValueOrDefault(scope).Str("value"));
                foreach (var app in uses)
                {
                    if (!perApp.TryGetValue(app.AppId, out var declared))
                    {
                        // daprd lets an app that a scope list leaves out use every allowed topic.
                        yield return $"{component.Label} {scope} leaves out {app.AppId}, which could then use every allowed topic";
                        continue;
                    }

                    foreach (var problem in SameSet($"{component.Label} {scope} of {app.AppId}", declared, select(app).Where(t => t.PubSub == pubsub).Select(t => t.Topic).ToHashSet()))
                    {
                        yield return problem;
                    }
                }

                foreach (var stranger in perApp.Keys.Except(uses.Select(a => a.AppId)))
                {
                    yield return $"{component.Label} {scope} names {stranger}, which does not use {pubsub}";
                }
            }
        }
    }

    /// <summary>summarystore is encrypted with a key from the secret store, through a store the sidecar really has.</summary>
    public static IEnumerable<string> SummaryEncryption(ResourceSet set, string builtinSecretStore)
    {
        if (set.Find("Component", DaprNames.StateStores.Summaries) is not { } store)
        {
            yield break;
        }

        var key = store.Root.ComponentMetadata().GetValueOrDefault("primaryEncryptionKey");
        if (key is null)
        {
            yield return $"{store.Label} has no primaryEncryptionKey: summaries would be stored in clear";
            yield break;
        }

        if (key.Map("secretKeyRef").Str("name") != DaprTopology.SummaryEncryptionKeySecret)
        {
            yield return $"{store.Label} primaryEncryptionKey must be a secretKeyRef to {DaprTopology.SummaryEncryptionKeySecret}";
        }

        if (key.Str("value") is { Length: > 0 })
        {
            yield return $"{store.Label} primaryEncryptionKey has a plain value";
        }

        // daprd encrypts only if the component's secret store is loaded in the same sidecar (pkg/encryption).
        var storeName = store.Root.At("auth").Str("secretStore") ?? builtinSecretStore;
        if (storeName == builtinSecretStore)
        {
            yield break;
        }

        var secretStore = set.Find("Component", storeName);
        var scopes = secretStore?.Root.Strings("scopes").ToList() ?? [];
        foreach (var app in store.Root.Strings("scopes").Where(a => secretStore is null || (scopes.Count > 0 && !scopes.Contains(a))))
        {
            yield return $"{store.Label} reads its key from {storeName}, which {app}'s sidecar does not load: daprd would store summaries unencrypted";
        }
    }

    private static HashSet<string> Topics(string? list) =>
        (list ?? "").Replace(" ", "", StringComparison.Ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>"app1=t1,t2;app2=" as daprd's pkg/scopes reads it (spaces removed, an empty list allows nothing).</summary>
    private static Dictionary<string, HashSet<string>> AppTopics(string? value)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var part in (value ?? "").Replace(" ", "", StringComparison.Ordinal).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=');
            if (pair.Length >= 2)
            {
                result[pair[0]] = Topics(pair[1]);
            }
        }

        return result;
    }

    public static IEnumerable<string> SameSet(string what, IReadOnlySet<string> actual, IReadOnlySet<string> expected)
    {
        foreach (var extra in actual.Except(expected).Order(StringComparer.Ordinal))
        {
            yield return $"{what} has {extra}, which the topology does not use";
        }

        foreach (var missing in expected.Except(actual).Order(StringComparer.Ordinal))
        {
            yield return $"{what} lacks {missing}, which the topology uses";
        }
    }
}
