using DaprChat.Contracts;

namespace DaprChat.Deploy.Tests.Rules;

/// <summary>dapr.yaml (the Dapr CLI's run template) and components/selfhosted, and their agreement with k8s/.</summary>
public static class SelfHostedRules
{
    /// <summary>The gRPC ports that `up` and the SDK's DaprClient use (main, chat, notify, summarize).</summary>
    public static readonly IReadOnlyDictionary<string, int> GrpcPorts = new Dictionary<string, int>
    {
        [DaprNames.Apps.Main] = 50001,
        [DaprNames.Apps.Chat] = 50002,
        [DaprNames.Apps.Notify] = 50003,
        [DaprNames.Apps.Summarize] = 50004,
    };

    /// <summary>Every app once, with its ports, app protocol, health check and Configuration, and no tokens in `env`.</summary>
    public static IEnumerable<string> RunTemplate(Dictionary<string, object?> template, string templateDirectory)
    {
        var common = template.Map("common");
        var apps = template.Maps("apps").ToList();
        foreach (var problem in ComponentRules.SameSet("dapr.yaml apps", apps.Select(a => a.Str("appID") ?? "").ToHashSet(), DaprTopology.Apps.Select(a => a.AppId).ToHashSet()))
        {
            yield return problem;
        }

        var resources = common.Strings("resourcesPaths").Select(p => Path.GetFullPath(Path.Combine(templateDirectory, p))).ToList();
        if (!resources.Contains(Path.GetFullPath(Path.Combine(templateDirectory, "components", "selfhosted"))))
        {
            yield return "dapr.yaml must load components/selfhosted (common.resourcesPaths)";
        }

        var ports = new Dictionary<int, string>();
        foreach (var app in apps)
        {
            var id = app.Str("appID") ?? "(no appID)";
            string? Setting(string key) => app.Str(key) ?? common.Str(key);
            foreach (var key in new[] { "appPort", "daprHTTPPort", "daprGRPCPort" })
            {
                if (app.Int(key) is not { } port)
                {
                    yield return $"dapr.yaml {id}: {key} is missing";
                }
                else if (!ports.TryAdd(port, $"{id} {key}"))
                {
                    yield return $"dapr.yaml {id}: {key} {port} is also {ports[port]}";
                }
            }

            if (GrpcPorts.TryGetValue(id, out var grpc) && app.Int("daprGRPCPort") is { } actual && actual != grpc)
            {
                yield return $"dapr.yaml {id}: daprGRPCPort is {actual}, expected {grpc}";
            }

            if (Setting("appProtocol") != "http")
            {
                yield return $"dapr.yaml {id}: appProtocol must be http";
            }

            if (Setting("enableAppHealthCheck") != "true" || Setting("appHealthCheckPath") != DaprTopology.Routes.Health)
            {
                yield return $"dapr.yaml {id}: the sidecar must check {DaprTopology.Routes.Health} (enableAppHealthCheck, appHealthCheckPath)";
            }

            // App-level paths resolve against appDirPath (dapr/cli pkg/runfileconfig).
            var appDir = Path.GetFullPath(Path.Combine(templateDirectory, app.Str("appDirPath") ?? "."));
            var config = app.Str("configFilePath") is { } c ? Path.GetFullPath(Path.Combine(appDir, c)) : null;
            if (config is null || !File.Exists(config))
            {
                yield return $"dapr.yaml {id}: configFilePath must name an existing Configuration file";
            }
            else if (Yaml.ReadDocuments(File.ReadAllText(config), config).FirstOrDefault(d => d.Str("kind") == "Configuration")?.At("metadata").Str("name")
                     != ConfigurationRules.ConfigurationName(id))
            {
                yield return $"dapr.yaml {id}: {config} is not Configuration {ConfigurationRules.ConfigurationName(id)}";
            }

            // The CLI hands `env` to the app only; a token there would leave its sidecar open (dapr/cli pkg/standalone/run.go).
            foreach (var env in new[] { common.Map("env"), app.Map("env") })
            {
                foreach (var token in new[] { "DAPR_API_TOKEN", "APP_API_TOKEN" }.Where(t => env?.ContainsKey(t) == true))
                {
                    yield return $"dapr.yaml {id}: {token} in env reaches the app but not daprd; export it in the shell instead";
                }
            }
        }
    }

    /// <summary>The same components, scopes, topic scopes, access rules, secret scopes and resiliency as k8s/.</summary>
    public static IEnumerable<string> AgreesWithKubernetes(ResourceSet selfHosted, ResourceSet kubernetes)
    {
        foreach (var component in kubernetes.Of("Component"))
        {
            var other = selfHosted.Find("Component", component.Name);
            if (other is null)
            {
                yield return $"{component.Label} is in k8s/ but not in components/selfhosted";
                continue;
            }

            if (Family(component) != Family(other))
            {
                yield return $"{component.Label} is {component.Root.At("spec").Str("type")} in k8s/ but {other.Root.At("spec").Str("type")} self-hosted";
            }

            foreach (var problem in ComponentRules.SameSet($"{component.Label} self-hosted scopes", other.Root.Strings("scopes").ToHashSet(), component.Root.Strings("scopes").ToHashSet()))
            {
                yield return problem;
            }

            var metadata = component.Root.ComponentMetadata();
            var otherMetadata = other.Root.ComponentMetadata();
            foreach (var key in new[] { "allowedTopics", "publishingScopes", "subscriptionScopes", "actorStateStore" })
            {
                var value = metadata.GetValueOrDefault(key).Str("value");
                var otherValue = otherMetadata.GetValueOrDefault(key).Str("value");
                if (value?.Replace(" ", "", StringComparison.Ordinal) != otherValue?.Replace(" ", "", StringComparison.Ordinal))
                {
                    yield return $"{component.Label} {key} differs: k8s/ says {value ?? "nothing"}, self-hosted {otherValue ?? "nothing"}";
                }
            }

            if (metadata.ContainsKey("primaryEncryptionKey") != otherMetadata.ContainsKey("primaryEncryptionKey"))
            {
                yield return $"{component.Label} is encrypted in one environment only";
            }
        }

        foreach (var extra in selfHosted.Of("Component").Where(c => kubernetes.Find("Component", c.Name) is null))
        {
            yield return $"{extra.Label} is self-hosted only";
        }

        foreach (var app in DaprTopology.Apps)
        {
            var name = ConfigurationRules.ConfigurationName(app.AppId);
            var k8s = Rules(kubernetes.Find("Configuration", name));
            var local = Rules(selfHosted.Find("Configuration", name));
            foreach (var problem in ComponentRules.SameSet($"Configuration/{name} self-hosted access and secret rules", local, k8s))
            {
                yield return problem;
            }
        }

        var resiliency = kubernetes.Of("Resiliency").FirstOrDefault();
        var selfResiliency = selfHosted.Of("Resiliency").FirstOrDefault();
        if (resiliency is null || selfResiliency is null || Flatten(resiliency.Root.Map("spec")) != Flatten(selfResiliency.Root.Map("spec"))
            || !resiliency.Root.Strings("scopes").SequenceEqual(selfResiliency.Root.Strings("scopes")))
        {
            yield return "the self-hosted Resiliency must say what k8s/resiliency.yaml says";
        }
    }

    private static string Family(Resource component) => (component.Root.At("spec").Str("type") ?? "").Split('.')[0];

    /// <summary>Access rules and the <c>secrets</c> store's scope as comparable lines (the namespace and global action differ by design).</summary>
    private static HashSet<string> Rules(Resource? config)
    {
        var lines = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in config?.Root.At("spec", "accessControl").Maps("policies") ?? [])
        {
            foreach (var operation in policy.Maps("operations"))
            {
                lines.Add($"{policy.Str("appId")} {policy.Str("defaultAction")} {operation.Str("name")} {string.Join(",", operation.Strings("httpVerb").Order())} {operation.Str("action")}");
            }
        }

        foreach (var scope in config?.Root.At("spec", "secrets").Maps("scopes").Where(s => s.Str("storeName") == DaprNames.SecretStore) ?? [])
        {
            lines.Add($"secrets {scope.Str("defaultAccess")} {string.Join(",", scope.Strings("allowedSecrets").Order())}");
        }

        return lines;
    }

    private static string Flatten(object? node) => node switch
    {
        Dictionary<string, object?> map => "{" + string.Join(",", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + Flatten(kv.Value))) + "}",
        List<object?> list => "[" + string.Join(",", list.Select(Flatten)) + "]",
        _ => node?.ToString() ?? "null",
    };
}
