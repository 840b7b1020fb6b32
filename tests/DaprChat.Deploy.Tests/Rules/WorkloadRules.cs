using System.Text.RegularExpressions;
using DaprChat.Contracts;

namespace DaprChat.Deploy.Tests.Rules;

/// <summary>Deployments, their pods and sidecars, and what surrounds them: tokens, service accounts, autoscaling, budgets.</summary>
public static partial class WorkloadRules
{
    /// <summary>The apps whose load varies with users (sockets, live streams): an HPA each, replicas left to it.</summary>
    public static readonly string[] Autoscaled = [DaprNames.Apps.Chat, DaprNames.Apps.Notify];

    public static Dictionary<string, object?>? PodSpec(Resource deployment) => deployment.Root.At("spec", "template", "spec");

    public static Dictionary<string, object?>? PodMetadata(Resource deployment) => deployment.Root.At("spec", "template", "metadata");

    public static Dictionary<string, object?>? AppContainer(Resource deployment) =>
        PodSpec(deployment).Maps("containers").FirstOrDefault(c => c.Str("name") == deployment.Name);

    /// <summary>One Deployment per app id, named after it.</summary>
    public static IEnumerable<string> OneDeploymentPerApp(ResourceSet set)
    {
        var names = set.Of("Deployment").Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        return ComponentRules.SameSet("Deployments", names, DaprTopology.Apps.Select(a => a.AppId).ToHashSet());
    }

    /// <summary>Non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp, limits, health probes.</summary>
    public static IEnumerable<string> HardenedContainers(ResourceSet set)
    {
        foreach (var deployment in set.Of("Deployment"))
        {
            var pod = PodSpec(deployment);
            var podSecurity = pod.Map("securityContext");
            if (!podSecurity.IsTrue("runAsNonRoot") || podSecurity.Int("runAsUser") is null or 0)
            {
                yield return $"{deployment.Label}: the pod must run as a non-root user (runAsNonRoot and a non-zero runAsUser)";
            }

            if (podSecurity.At("seccompProfile").Str("type") != "RuntimeDefault")
            {
                yield return $"{deployment.Label}: the pod needs seccompProfile RuntimeDefault (it covers the injected daprd too)";
            }

            var containers = pod.Maps("containers").Concat(pod.Maps("initContainers")).ToList();
            if (containers.Count == 0)
            {
                yield return $"{deployment.Label} has no containers";
            }

            foreach (var container in containers)
            {
                var label = $"{deployment.Label} container {container.Str("name")}";
                var security = container.Map("securityContext");
                if (security.Str("allowPrivilegeEscalation") != "false")
                {
                    yield return $"{label}: allowPrivilegeEscalation must be false";
                }

                if (!security.IsTrue("readOnlyRootFilesystem"))
                {
                    yield return $"{label}: readOnlyRootFilesystem must be true";
                }

                if (!security.Map("capabilities").Strings("drop").Contains("ALL") || security.Map("capabilities").Strings("add").Any())
                {
                    yield return $"{label}: capabilities must drop ALL and add none";
                }

                if (security?.Str("runAsNonRoot") == "false" || security.Int("runAsUser") == 0 || security.IsTrue("privileged"))
                {
                    yield return $"{label}: overrides the pod's non-root user or asks for privilege";
                }

                var resources = container.Map("resources");
                foreach (var (kind, resource) in new[] { ("requests", "cpu"), ("requests", "memory"), ("limits", "cpu"), ("limits", "memory") })
                {
                    if (resources.Map(kind).Str(resource) is not { Length: > 0 })
                    {
                        yield return $"{label}: resources.{kind}.{resource} is missing";
                    }
                }

                var ports = container.Maps("ports").ToList();
                foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                {
                    var get = container.At(probe, "httpGet");
                    if (get?.Str("path") != DaprTopology.Routes.Health)
                    {
                        yield return $"{label}: {probe} must GET {DaprTopology.Routes.Health}";
                    }
                    else if (!ports.Any(p => p.Str("name") == get.Str("port") || p.Str("containerPort") == get.Str("port")))
                    {
                        yield return $"{label}: {probe} port {get.Str("port")} is not one of the container's ports";
                    }
                }
            }
        }
    }

    /// <summary>The sidecar annotations every app needs, consistent with its container and its Configuration.</summary>
    public static IEnumerable<string> DaprAnnotations(ResourceSet set)
    {
        var tokenSecrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var deployment in set.Of("Deployment"))
        {
            var annotations = PodMetadata(deployment).Map("annotations");
            string? Get(string key) => annotations.Str("dapr.io/" + key);
            var label = deployment.Label;
            if (Get("enabled") != "true")
            {
                yield return $"{label}: dapr.io/enabled must be \"true\"";
            }

            if (Get("app-id") != deployment.Name)
            {
                yield return $"{label}: dapr.io/app-id is {Get("app-id") ?? "(none)"}, expected {deployment.Name}";
            }

            var container = AppContainer(deployment);
            if (container is null)
            {
                yield return $"{label}: no container named {deployment.Name}";
                continue;
            }

            if (!container.Maps("ports").Any(p => p.Str("containerPort") == Get("app-port")))
            {
                yield return $"{label}: dapr.io/app-port {Get("app-port") ?? "(none)"} is not a port of the app container";
            }

            if (Get("app-protocol") != "http")
            {
                yield return $"{label}: dapr.io/app-protocol must be http (the apps serve HTTP/1.1 to their sidecar)";
            }

            if (Get("config") is not { } config || set.Find("Configuration", config) is null)
            {
                yield return $"{label}: dapr.io/config names {Get("config") ?? "nothing"}, which is not among the rendered Configurations";
            }
            else if (config != ConfigurationRules.ConfigurationName(deployment.Name))
            {
                yield return $"{label}: dapr.io/config must be {ConfigurationRules.ConfigurationName(deployment.Name)}, the one with {deployment.Name}'s access rules";
            }

            if (Get("enable-app-health-check") != "true" || Get("app-health-check-path") != DaprTopology.Routes.Health)
            {
                yield return $"{label}: the sidecar must check the app's health at {DaprTopology.Routes.Health}";
            }

            if (Get("log-level") is not ("debug" or "info" or "warn" or "error"))
            {
                yield return $"{label}: dapr.io/log-level must be set";
            }

            foreach (var key in new[] { "sidecar-cpu-request", "sidecar-cpu-limit", "sidecar-memory-request", "sidecar-memory-limit" })
            {
                if (Get(key) is not { Length: > 0 })
                {
                    yield return $"{label}: dapr.io/{key} must be set";
                }
            }

            if (Get("disable-builtin-k8s-secret-store") == "true" && DaprTopology.For(deployment.Name).StateStores.Contains(DaprNames.StateStores.Summaries))
            {
                yield return $"{label}: without the built-in kubernetes secret store daprd stores summaries unencrypted";
            }

            // The injector puts each token into daprd only; the app reads the same Secret into the same variable.
            foreach (var (annotation, variable) in new[] { ("api-token-secret", "DAPR_API_TOKEN"), ("app-token-secret", "APP_API_TOKEN") })
            {
                var secret = Get(annotation);
                if (secret is null)
                {
                    yield return $"{label}: dapr.io/{annotation} is missing, so its sidecar-only routes or its sidecar answer anyone";
                    continue;
                }

                var env = container.Maps("env").FirstOrDefault(e => e.Str("name") == variable);
                var reference = env.At("valueFrom", "secretKeyRef");
                if (reference?.Str("name") != secret || reference.Str("key") != "token")
                {
                    yield return $"{label}: the app's {variable} must come from Secret {secret}, key token (the key the injector uses)";
                }

                if (tokenSecrets.TryGetValue(secret, out var other))
                {
                    yield return $"{label}: Secret {secret} is also {other}'s token; each app gets its own";
                }

                tokenSecrets[secret] = deployment.Name;
            }
        }
    }

    /// <summary>Values that are secrets come only through secretKeyRef: component metadata, container env, no Secret objects.</summary>
    public static IEnumerable<string> NoPlainTextSecrets(ResourceSet set)
    {
        foreach (var secret in set.Of("Secret"))
        {
            yield return $"{secret.Label} is part of the manifests; Secrets are created by the operator, never committed";
        }

        foreach (var component in set.Of("Component"))
        {
            foreach (var (name, item) in component.Root.ComponentMetadata())
            {
                var value = item.Str("value");
                if (SecretLike(name) && !string.IsNullOrEmpty(value))
                {
                    yield return $"{component.Label}: metadata {name} has a plain value; use secretKeyRef";
                }
                else if (value is not null && CredentialsInUrl().IsMatch(value))
                {
                    yield return $"{component.Label}: metadata {name} carries credentials in a URL; use secretKeyRef";
                }
            }
        }

        foreach (var deployment in set.Of("Deployment"))
        {
            foreach (var container in PodSpec(deployment).Maps("containers"))
            {
                foreach (var env in container.Maps("env"))
                {
                    var name = env.Str("name") ?? "";
                    var value = env.Str("value");
                    if ((SecretLike(name) && !string.IsNullOrEmpty(value)) || (value is not null && CredentialsInUrl().IsMatch(value)))
                    {
                        yield return $"{deployment.Label} container {container.Str("name")}: env {name} has a plain value; use valueFrom.secretKeyRef";
                    }
                }
            }
        }
    }

    private static bool SecretLike(string name) =>
        SecretWords().IsMatch(name) && !name.Equals("secretsFile", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("password|secret|token|apikey|api_key|connectionstring|credential|encryptionkey|privatekey", RegexOptions.IgnoreCase)]
    private static partial Regex SecretWords();

    [GeneratedRegex(@"://[^/\s:@]+:[^@\s/]+@")]
    private static partial Regex CredentialsInUrl();

    /// <summary>HPAs for the autoscaled apps (their Deployments leave replicas alone); a PDB for every app that lets a drain proceed.</summary>
    public static IEnumerable<string> ScalingAndDisruption(ResourceSet set)
    {
        foreach (var deployment in set.Of("Deployment"))
        {
            var hpa = set.Of("HorizontalPodAutoscaler").FirstOrDefault(h => h.Root.At("spec", "scaleTargetRef").Str("name") == deployment.Name);
            var minReplicas = hpa?.Root.At("spec").Int("minReplicas") ?? deployment.Root.At("spec").Int("replicas") ?? 1;
            if (Autoscaled.Contains(deployment.Name))
            {
                if (hpa is null)
                {
                    yield return $"{deployment.Label} needs a HorizontalPodAutoscaler";
                }
                else if (hpa.Root.At("spec", "scaleTargetRef").Str("kind") != "Deployment" || minReplicas < 2 || !hpa.Root.At("spec").Maps("metrics").Any())
                {
                    yield return $"{hpa.Label} must target the Deployment with minReplicas >= 2 and a metric";
                }

                if (deployment.Root.At("spec")?.ContainsKey("replicas") == true)
                {
                    yield return $"{deployment.Label} sets replicas, which every apply would reset under its HPA";
                }
            }

            var labels = PodMetadata(deployment).Map("labels") ?? [];
            var pdb = set.Of("PodDisruptionBudget").FirstOrDefault(p => Selects(p.Root.At("spec", "selector").Map("matchLabels"), labels));
            if (pdb is null)
            {
                yield return $"{deployment.Label} has no PodDisruptionBudget";
                continue;
            }

            var spec = pdb.Root.At("spec");
            var allowed = spec.Int("maxUnavailable") ?? (spec.Int("minAvailable") is { } min ? minReplicas - min : 0);
            if (allowed < 1)
            {
                yield return $"{pdb.Label} allows no disruption with {minReplicas} replicas: a node drain would hang";
            }
        }
    }

    /// <summary>Each app runs as its own service account, which may read exactly its own secrets.</summary>
    public static IEnumerable<string> ServiceAccounts(ResourceSet set)
    {
        foreach (var deployment in set.Of("Deployment"))
        {
            var account = PodSpec(deployment).Str("serviceAccountName");
            if (account is null or "default" || set.Find("ServiceAccount", account) is null)
            {
                yield return $"{deployment.Label} must run as its own ServiceAccount";
                continue;
            }

            var readable = set.Of("RoleBinding")
                .Where(b => b.Root.Maps("subjects").Any(s => s.Str("kind") == "ServiceAccount" && s.Str("name") == account))
                .Select(b => set.Find("Role", b.Root.Map("roleRef").Str("name") ?? ""))
                .SelectMany(r => r?.Root.Maps("rules") ?? [])
                .Where(r => r.Strings("resources").Contains("secrets"))
                .ToList();
            if (readable.Any(r => !r.Strings("resourceNames").Any() || r.Strings("verbs").Any(v => v != "get")))
            {
                yield return $"{deployment.Label}: ServiceAccount {account} may list or read all Secrets; name them and allow get only";
            }

            var names = readable.SelectMany(r => r.Strings("resourceNames")).ToHashSet(StringComparer.Ordinal);
            foreach (var problem in ComponentRules.SameSet($"ServiceAccount/{account} readable Secrets", names, DaprTopology.For(deployment.Name).Secrets.ToHashSet()))
            {
                yield return problem;
            }
        }
    }

    public static bool Selects(Dictionary<string, object?>? matchLabels, Dictionary<string, object?> labels) =>
        matchLabels is { Count: > 0 } && matchLabels.All(kv => labels.TryGetValue(kv.Key, out var v) && Equals(v, kv.Value));
}
