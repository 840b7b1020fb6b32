using DaprChat.Contracts;

namespace DaprChat.Deploy.Tests.Rules;

/// <summary>How one environment identifies callers: namespace of the SPIFFE ids, and the global action daprd applies to a caller without one.</summary>
public sealed record AccessEnvironment(string Namespace, string GlobalAction)
{
    /// <summary>mTLS on (control plane): unknown callers are refused.</summary>
    public static AccessEnvironment Kubernetes { get; } = new("daprchat", "deny");

    /// <summary>`dapr run -f` without sentry: no caller has an identity, so only the global action applies, and deny would refuse every call.</summary>
    public static AccessEnvironment SelfHosted { get; } = new("default", "allow");
}

/// <summary>Each app's Dapr Configuration: accessControl per caller and operation, secret scopes, tracing.</summary>
public static class ConfigurationRules
{
    public static string ConfigurationName(string appId) => $"daprchat-{appId}";

    /// <summary>Callee-side accessControl: deny by default, and exactly the topology's invocations allowed, per caller and operation.</summary>
    public static IEnumerable<string> AccessControl(ResourceSet set, AccessEnvironment environment)
    {
        foreach (var callee in DaprTopology.Apps)
        {
            if (set.Find("Configuration", ConfigurationName(callee.AppId)) is not { } config)
            {
                yield return $"Configuration/{ConfigurationName(callee.AppId)} is missing ({callee.AppId}'s sidecar applies it)";
                continue;
            }

            var access = config.Root.At("spec", "accessControl");
            if (access is null)
            {
                yield return $"{config.Label} has no accessControl: any app could invoke any route of {callee.AppId}";
                continue;
            }

            if (!string.Equals(access.Str("defaultAction"), environment.GlobalAction, StringComparison.OrdinalIgnoreCase))
            {
                yield return $"{config.Label} accessControl.defaultAction is {access.Str("defaultAction") ?? "(none)"}, expected {environment.GlobalAction}";
            }

            var expected = DaprTopology.Apps
                .SelectMany(caller => caller.Invokes.Where(i => i.TargetApp == callee.AppId)
                    .SelectMany(i => i.Verbs.Select(v => $"{caller.AppId} {v} {i.Operation}")))
                .ToHashSet(StringComparer.Ordinal);
            var actual = new HashSet<string>(StringComparer.Ordinal);
            foreach (var policy in access.Maps("policies"))
            {
                var caller = policy.Str("appId") ?? "(no appId)";
                var label = $"{config.Label} policy for {caller}";
                if (!string.Equals(policy.Str("defaultAction"), "deny", StringComparison.OrdinalIgnoreCase))
                {
                    yield return $"{label}: defaultAction must be deny (only the listed operations are allowed)";
                }

                if (policy.Str("namespace") != environment.Namespace || string.IsNullOrEmpty(policy.Str("trustDomain")))
                {
                    yield return $"{label}: namespace must be {environment.Namespace} and trustDomain set, or daprd refuses the policy";
                }

                foreach (var operation in policy.Maps("operations"))
                {
                    var name = operation.Str("name") ?? "";
                    if (name.Split('/').SkipLast(1).Any(segment => segment.Contains('*', StringComparison.Ordinal)))
                    {
                        yield return $"{label}: operation {name} has a wildcard before its last segment, which daprd never matches";
                    }

                    if (!string.Equals(operation.Str("action"), "allow", StringComparison.OrdinalIgnoreCase))
                    {
                        yield return $"{label}: operation {name} has action {operation.Str("action")}; list only allowed operations";
                    }

                    foreach (var verb in operation.Strings("httpVerb"))
                    {
                        actual.Add($"{caller} {verb} {name}");
                    }
                }
            }

            foreach (var problem in ComponentRules.SameSet($"{config.Label} accessControl", actual, expected))
            {
                yield return problem;
            }
        }
    }

    /// <summary>Each app reads only its own secrets from <c>secrets</c>, and (where named) nothing from other stores.</summary>
    public static IEnumerable<string> SecretScopes(ResourceSet set, IReadOnlyList<string> closedStores)
    {
        foreach (var app in DaprTopology.Apps)
        {
            if (set.Find("Configuration", ConfigurationName(app.AppId)) is not { } config)
            {
                continue;
            }

            var scopes = config.Root.At("spec", "secrets").Maps("scopes").ToDictionary(s => s.Str("storeName") ?? "", StringComparer.Ordinal);
            foreach (var store in closedStores)
            {
                if (!scopes.TryGetValue(store, out var closed) || closed.Str("defaultAccess") != "deny" || closed.Strings("allowedSecrets").Any())
                {
                    yield return $"{config.Label} must close the {store} secret store (defaultAccess: deny, nothing allowed)";
                }
            }

            if (app.Secrets.Count == 0)
            {
                if (scopes.TryGetValue(DaprNames.SecretStore, out var unused) && unused.Strings("allowedSecrets").Any())
                {
                    yield return $"{config.Label} allows secrets to {app.AppId}, which reads none";
                }

                continue;
            }

            if (!scopes.TryGetValue(DaprNames.SecretStore, out var own) || own.Str("defaultAccess") != "deny")
            {
                yield return $"{config.Label} must scope the {DaprNames.SecretStore} store with defaultAccess: deny";
                continue;
            }

            foreach (var problem in ComponentRules.SameSet($"{config.Label} allowedSecrets", own.Strings("allowedSecrets").ToHashSet(), app.Secrets.ToHashSet()))
            {
                yield return problem;
            }
        }
    }

    /// <summary>Every app's Configuration traces (W3C context continues through the apps' OpenTelemetry) and exports metrics where asked.</summary>
    public static IEnumerable<string> Tracing(ResourceSet set)
    {
        foreach (var app in DaprTopology.Apps)
        {
            var tracing = set.Find("Configuration", ConfigurationName(app.AppId))?.Root.At("spec", "tracing");
            if (tracing?.Str("samplingRate") is not { Length: > 0 } || (tracing.Map("otel") ?? tracing.Map("zipkin")) is null)
            {
                yield return $"Configuration/{ConfigurationName(app.AppId)} needs tracing with a samplingRate and an exporter";
            }
        }
    }

    /// <summary>The control plane's daprsystem Configuration turns mTLS on (the apps' Configurations cannot).</summary>
    public static IEnumerable<string> ControlPlaneMtls(ResourceSet controlPlane)
    {
        var system = controlPlane.Find("Configuration", "daprsystem");
        if (system is null || !system.Root.At("spec", "mtls").IsTrue("enabled"))
        {
            yield return "Configuration/daprsystem must enable mTLS: accessControl tells callers apart only by their certificates";
        }

        if (system?.Root.At("metadata").Str("namespace") != "dapr-system")
        {
            yield return "Configuration/daprsystem belongs in the control plane's namespace dapr-system";
        }
    }

    /// <summary>One Resiliency for every app, covering invocation of main and chat and both pub/subs, naming only policies it defines.</summary>
    public static IEnumerable<string> Resiliency(ResourceSet set)
    {
        var resiliency = set.Of("Resiliency").ToList();
        if (resiliency.Count != 1)
        {
            yield return $"expected one Resiliency, found {resiliency.Count}";
            yield break;
        }

        var root = resiliency[0].Root;
        var label = resiliency[0].Label;
        foreach (var problem in ComponentRules.SameSet($"{label} scopes", root.Strings("scopes").ToHashSet(), DaprTopology.Apps.Select(a => a.AppId).ToHashSet()))
        {
            yield return problem;
        }

        var policies = root.At("spec", "policies");
        var targets = root.At("spec", "targets");
        foreach (var app in new[] { DaprNames.Apps.Main, DaprNames.Apps.Chat })
        {
            var target = targets.At("apps", app);
            if (target?.Str("retry") is null || target.Str("timeout") is null)
            {
                yield return $"{label} must give invocation of {app} a timeout and a retry";
            }
        }

        foreach (var pubsub in ComponentRules.PubSubs)
        {
            var target = targets.At("components", pubsub);
            if (target.Map("outbound")?.Str("retry") is null || target.Map("inbound")?.Str("retry") is null)
            {
                yield return $"{label} must retry publishing to and delivering from {pubsub}";
            }
        }

        foreach (var (kind, name) in References(targets))
        {
            if (policies.Map(kind)?.ContainsKey(name) != true)
            {
                yield return $"{label} names {kind} policy {name}, which it does not define";
            }
        }
    }

    private static IEnumerable<(string Kind, string Name)> References(Dictionary<string, object?>? node)
    {
        foreach (var (key, value) in node ?? [])
        {
            if (value is Dictionary<string, object?> child)
            {
                foreach (var reference in References(child))
                {
                    yield return reference;
                }
            }
            else if (value is string name && key is "retry" or "timeout" or "circuitBreaker")
            {
                yield return (key switch { "retry" => "retries", "timeout" => "timeouts", _ => "circuitBreakers" }, name);
            }
        }
    }
}
