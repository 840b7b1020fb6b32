using System.Net;
using DaprChat.Contracts;

namespace DaprChat.Deploy.Tests.Rules;

/// <summary>Something traffic can come from or go to, as a NetworkPolicy sees it.</summary>
public sealed record Endpoint(string Name, string Namespace, IReadOnlyDictionary<string, string> Labels, IPAddress Ip);

/// <summary>
/// NetworkPolicies evaluated as Kubernetes does (a pod selected by any policy of a direction is isolated in it; a
/// connection needs the sender's egress and the receiver's ingress), and the edges DaprTopology needs.
/// </summary>
public static class NetworkRules
{
    public const string Namespace = "daprchat";
    public const int AppPort = 8080;

    /// <summary>daprd's internal gRPC port: every invocation and actor call between pods.</summary>
    public const int SidecarPort = 50002;

    private static int nextIp = 10;

    private static Endpoint Peer(string name, string ns, string ip, params (string, string)[] labels) =>
        new(name, ns, labels.ToDictionary(l => l.Item1, l => l.Item2), IPAddress.Parse(ip));

    public static readonly Endpoint IngressController = Peer("ingress-nginx", "ingress-nginx", "10.1.0.2", ("app.kubernetes.io/name", "ingress-nginx"));
    public static readonly Endpoint Redis = Peer("redis", "redis", "10.1.0.3", ("app.kubernetes.io/name", "redis"));
    public static readonly Endpoint MongoDb = Peer("mongodb", "mongodb", "10.1.0.4", ("app.kubernetes.io/name", "mongodb"));
    public static readonly Endpoint Dns = Peer("kube-dns", "kube-system", "10.1.0.5", ("k8s-app", "kube-dns"));
    public static readonly Endpoint DaprControlPlane = Peer("dapr-sentry", "dapr-system", "10.1.0.6", ("app", "dapr-sentry"));
    public static readonly Endpoint Collector = Peer("otel-collector", "observability", "10.1.0.7", ("app", "otel-collector"));
    /// <summary>At the placeholder address that k8s/README.md has the operator replace with the real endpoint.</summary>
    public static readonly Endpoint ApiServer = Peer("kube-apiserver", "", "192.0.2.10");
    public static readonly Endpoint Internet = Peer("fcm.googleapis.com", "", "142.250.1.95");
    public static readonly Endpoint Stranger = Peer("another pod", Namespace, "10.1.0.8", ("app.kubernetes.io/name", "stranger"));
    public static readonly Endpoint OtherNamespace = Peer("a pod elsewhere", "default", "10.1.0.9", ("app.kubernetes.io/name", "main"));

    public static Endpoint Pod(Resource deployment) => new(
        deployment.Name, Namespace,
        (WorkloadRules.PodMetadata(deployment).Map("labels") ?? []).ToDictionary(kv => kv.Key, kv => kv.Value as string ?? ""),
        IPAddress.Parse($"10.2.0.{Interlocked.Increment(ref nextIp) % 250}"));

    /// <summary>Every connection the topology needs is allowed, and no other one between the apps or from outside.</summary>
    public static IEnumerable<string> OnlyWhatEachAppNeeds(ResourceSet set)
    {
        var policies = set.Of("NetworkPolicy").ToList();
        foreach (var unsupported in policies.Where(p => HasUnsupportedSelector(p.Root)))
        {
            yield return $"{unsupported.Label} uses matchExpressions, which this check does not evaluate; use matchLabels";
        }

        if (!policies.Any(p => p.Root.At("spec", "podSelector") is { Count: 0 }
                && p.Root.At("spec").Strings("policyTypes").ToHashSet().SetEquals(["Ingress", "Egress"])
                && p.Root.At("spec").List("ingress").Count == 0 && p.Root.At("spec").List("egress").Count == 0))
        {
            yield return "no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)";
        }

        var apps = set.Of("Deployment").Where(d => DaprTopology.Apps.Any(a => a.AppId == d.Name)).ToDictionary(d => d.Name, Pod);
        var components = set.Of("Component").ToList();
        foreach (var (appId, pod) in apps)
        {
            var app = DaprTopology.For(appId);
            var uses = components.Where(c => c.Root.Strings("scopes").Contains(appId)).Select(c => c.Root.At("spec").Str("type") ?? "").ToList();
            var checks = new List<(Endpoint From, Endpoint To, int Port, string Protocol, bool Needed)>
            {
                (IngressController, pod, AppPort, "TCP", app.PublicPaths.Count > 0),
                (Stranger, pod, AppPort, "TCP", false),
                (Stranger, pod, SidecarPort, "TCP", false),
                (OtherNamespace, pod, SidecarPort, "TCP", false),
                (pod, Dns, 53, "UDP", true),
                (pod, DaprControlPlane, 50001, "TCP", true),
                (pod, DaprControlPlane, 50005, "TCP", true),
                (pod, DaprControlPlane, 6500, "TCP", true),
                (pod, DaprControlPlane, 50006, "TCP", true),
                (pod, Collector, 4317, "TCP", true),
                (pod, Redis, 6379, "TCP", uses.Any(t => t is "state.redis" or "pubsub.redis")),
                (pod, MongoDb, 27017, "TCP", uses.Any(t => t == "state.mongodb")),
                (pod, Internet, 443, "TCP", app.CallsInternet),
                (pod, ApiServer, 443, "TCP", app.Secrets.Count > 0),
                (pod, Stranger, SidecarPort, "TCP", false),
            };
            foreach (var (otherId, other) in apps)
            {
                checks.Add((pod, other, SidecarPort, "TCP", DaprTopology.CallersOf(otherId).Contains(appId)));
                checks.Add((pod, other, AppPort, "TCP", false));
            }

            foreach (var (from, to, port, protocol, needed) in checks)
            {
                var allowed = Allowed(policies, from, to, port, protocol);
                if (allowed != needed)
                {
                    yield return $"{from.Name} -> {to.Name}:{port}/{protocol} is {(allowed ? "allowed, but nothing needs it" : "denied, but needed")}";
                }
            }
        }
    }

    public static bool Allowed(IReadOnlyList<Resource> policies, Endpoint from, Endpoint to, int port, string protocol) =>
        Side(policies, from, "Egress", "egress", "to", to, port, protocol) && Side(policies, to, "Ingress", "ingress", "from", from, port, protocol);

    private static bool Side(IReadOnlyList<Resource> policies, Endpoint pod, string type, string rulesKey, string peersKey, Endpoint peer, int port, string protocol)
    {
        if (pod.Namespace != Namespace)
        {
            return true; // only this namespace's policies are ours; the other end is someone else's to police
        }

        var isolating = policies.Where(p => Types(p.Root).Contains(type) && SelectorMatches(p.Root.At("spec", "podSelector"), pod.Labels)).ToList();
        return isolating.Count == 0 || isolating.SelectMany(p => p.Root.At("spec").Maps(rulesKey))
            .Any(rule => PortMatches(rule, port, protocol) && (!rule.ContainsKey(peersKey) || rule.Maps(peersKey).Any(p => PeerMatches(p, peer))));
    }

    private static List<string> Types(Dictionary<string, object?> policy)
    {
        var spec = policy.At("spec");
        var types = spec.Strings("policyTypes").ToList();
        return types.Count > 0 ? types : spec?.ContainsKey("egress") == true ? ["Ingress", "Egress"] : ["Ingress"];
    }

    private static bool PortMatches(Dictionary<string, object?> rule, int port, string protocol) =>
        !rule.ContainsKey("ports") || rule.Maps("ports").Any(p =>
            (p.Str("protocol") ?? "TCP") == protocol && (p.Str("port") is null || (p.Int("port") is { } start && port >= start && port <= (p.Int("endPort") ?? start))));

    private static bool PeerMatches(Dictionary<string, object?> peer, Endpoint endpoint)
    {
        if (peer.Map("ipBlock") is { } block)
        {
            return InCidr(endpoint.Ip, block.Str("cidr") ?? "") && !block.Strings("except").Any(e => InCidr(endpoint.Ip, e));
        }

        var namespaces = peer.Map("namespaceSelector");
        var pods = peer.Map("podSelector");
        var namespaceLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = endpoint.Namespace };
        var inNamespace = namespaces is null ? endpoint.Namespace == Namespace : endpoint.Namespace.Length > 0 && SelectorMatches(namespaces, namespaceLabels);
        return inNamespace && (pods is null || SelectorMatches(pods, endpoint.Labels));
    }

    private static bool SelectorMatches(Dictionary<string, object?>? selector, IReadOnlyDictionary<string, string> labels) =>
        selector is not null && selector.Map("matchLabels") is var match
            && (match ?? []).All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value as string);

    private static bool HasUnsupportedSelector(Dictionary<string, object?> node) =>
        node.ContainsKey("matchExpressions")
        || node.Values.OfType<Dictionary<string, object?>>().Any(HasUnsupportedSelector)
        || node.Values.OfType<List<object?>>().SelectMany(l => l.OfType<Dictionary<string, object?>>()).Any(HasUnsupportedSelector);

    private static bool InCidr(IPAddress ip, string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var network) || !int.TryParse(parts[1], out var bits))
        {
            return false;
        }

        var a = ip.GetAddressBytes();
        var b = network.GetAddressBytes();
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : 0xFF << (8 - bits) & 0xFF;
            if ((a[i] & mask) != (b[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The Ingress: each app's public paths to its Service (and nothing else), TLS on every host, WebSocket timeouts and
    /// session-id affinity for chat, no buffering for notify's stream.
    /// </summary>
    public static IEnumerable<string> Ingress(ResourceSet set)
    {
        var routes = new List<(Resource Ingress, string Host, string Path, string App)>();
        foreach (var ingress in set.Of("Ingress"))
        {
            var spec = ingress.Root.At("spec");
            var tlsHosts = spec.Maps("tls").Where(t => t.Str("secretName") is not null).SelectMany(t => t.Strings("hosts")).ToHashSet();
            foreach (var rule in spec.Maps("rules"))
            {
                var host = rule.Str("host") ?? "";
                if (!tlsHosts.Contains(host))
                {
                    yield return $"{ingress.Label}: host {(host.Length == 0 ? "(any)" : host)} has no TLS";
                }

                foreach (var path in rule.At("http").Maps("paths"))
                {
                    var serviceName = path.At("backend", "service").Str("name") ?? "";
                    var service = set.Find("Service", serviceName);
                    var app = set.Of("Deployment").FirstOrDefault(d => service is not null
                        && WorkloadRules.Selects(service.Root.At("spec").Map("selector"), WorkloadRules.PodMetadata(d).Map("labels") ?? []));
                    routes.Add((ingress, host, path.Str("path") ?? "", app?.Name ?? $"(Service {serviceName}, which selects no app)"));
                    if (path.Str("pathType") is not ("Prefix" or "Exact"))
                    {
                        yield return $"{ingress.Label}: path {path.Str("path")} needs pathType Prefix or Exact";
                    }
                }
            }
        }

        var expected = DaprTopology.Apps.SelectMany(a => a.PublicPaths.Select(p => $"{p} -> {a.AppId}")).ToHashSet();
        foreach (var problem in ComponentRules.SameSet("Ingress routes", routes.Select(r => $"{r.Path} -> {r.App}").ToHashSet(), expected))
        {
            yield return problem;
        }

        foreach (var (ingress, _, path, app) in routes)
        {
            var annotations = ingress.Root.At("metadata", "annotations");
            string? Get(string key) => annotations.Str("nginx.ingress.kubernetes.io/" + key);
            var longLived = app is DaprNames.Apps.Chat or DaprNames.Apps.Notify;
            if (longLived && (int.TryParse(Get("proxy-read-timeout"), out var read) ? read : 0) < 3600)
            {
                yield return $"{ingress.Label}: {path} holds connections open; proxy-read-timeout must be at least 3600 s";
            }

            if (longLived && (int.TryParse(Get("proxy-send-timeout"), out var send) ? send : 0) < 3600)
            {
                yield return $"{ingress.Label}: {path} holds connections open; proxy-send-timeout must be at least 3600 s";
            }

            // Consistent hashing on the path: under /session/ the path is the session id, so both participants meet on one pod.
            if (app == DaprNames.Apps.Chat && Get("upstream-hash-by") is not ("$uri" or "$request_uri" or "$document_uri"))
            {
                yield return $"{ingress.Label}: {path} needs upstream-hash-by on the path, so both participants of a session reach the same chat pod";
            }

            if (app == DaprNames.Apps.Notify && Get("proxy-buffering") != "off")
            {
                yield return $"{ingress.Label}: {path} is a live stream; proxy-buffering must be off";
            }

            if (Get("ssl-redirect") != "true")
            {
                yield return $"{ingress.Label}: ssl-redirect must be true";
            }
        }
    }
}
