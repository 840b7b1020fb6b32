using DaprChat.Contracts;
using DaprChat.Deploy.Tests.Rules;
using Xunit;
using static DaprChat.Deploy.Tests.Problems;

namespace DaprChat.Deploy.Tests;

/// <summary>What <c>kubectl kustomize k8s/</c> renders, checked against DaprTopology without a cluster.</summary>
public sealed class KubernetesManifestTests
{
    private readonly ResourceSet k8s = Repository.Kubernetes();

    [Fact]
    public void Kustomize_renders_every_kind_the_deploy_needs_into_the_daprchat_namespace()
    {
        var kinds = k8s.All.Select(r => r.Kind).ToHashSet();
        foreach (var kind in new[] { "Namespace", "ServiceAccount", "Role", "RoleBinding", "Component", "Configuration", "Resiliency", "Deployment",
                     "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy" })
        {
            Assert.Contains(kind, kinds);
        }

        Assert.All(k8s.All.Where(r => r.Kind != "Namespace"), r => Assert.Equal(NetworkRules.Namespace, r.Root.At("metadata").Str("namespace")));
    }

    [Fact]
    public void Without_kubectl_the_render_fails_and_says_what_is_missing()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Repository.Kustomize(Repository.PathOf("k8s"), "kubectl-that-is-not-installed"));
        Assert.Contains("kubectl-that-is-not-installed is not on PATH, so k8s/ cannot be rendered and checked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kustomization_that_does_not_build_fails_with_kubectls_reason()
    {
        var dir = Directory.CreateTempSubdirectory("daprchat-kustomize-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "kustomization.yaml"), "resources: [missing.yaml]\n");
            var error = Assert.Throws<InvalidOperationException>(() => Repository.Kustomize(dir));
            Assert.Contains("missing.yaml", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_component_is_one_the_code_uses_scoped_to_exactly_its_users() => AssertNone(ComponentRules.NamesAndScopes(k8s));

    [Fact]
    public void Only_chatstore_is_the_actor_state_store_of_chat_and_summarize() => AssertNone(ComponentRules.ActorStateStore(k8s));

    [Fact]
    public void Each_pub_sub_allows_each_app_only_the_topics_it_publishes_and_subscribes() => AssertNone(ComponentRules.TopicScopes(k8s));

    [Fact]
    public void Summarystore_is_encrypted_with_a_key_from_the_secret_store() => AssertNone(ComponentRules.SummaryEncryption(k8s, "kubernetes"));

    [Fact]
    public void No_secret_is_written_in_plain_text() => AssertNone(WorkloadRules.NoPlainTextSecrets(k8s));

    [Fact]
    public void Every_redis_and_mongodb_connection_comes_from_the_operators_secrets()
    {
        var problems = new List<string>();
        foreach (var component in k8s.Of("Component"))
        {
            var type = component.Root.At("spec").Str("type");
            var metadata = component.Root.ComponentMetadata();
            var (secret, keys) = type switch
            {
                "state.redis" or "pubsub.redis" => ("daprchat-redis", new[] { "redisHost", "redisPassword" }),
                "state.mongodb" => ("daprchat-mongodb", new[] { "connectionString" }),
                _ => ("", []),
            };
            problems.AddRange(keys.Where(k => metadata.GetValueOrDefault(k).Map("secretKeyRef").Str("name") != secret)
                .Select(k => $"{component.Label}: {k} must come from Secret {secret}"));
        }

        AssertNone(problems);
    }

    [Fact]
    public void Every_app_has_one_deployment() => AssertNone(WorkloadRules.OneDeploymentPerApp(k8s));

    [Fact]
    public void Every_container_is_non_root_read_only_unprivileged_limited_and_probed_on_healthz() => AssertNone(WorkloadRules.HardenedContainers(k8s));

    [Fact]
    public void Every_deployment_has_its_sidecar_annotations_and_its_own_api_and_app_tokens() => AssertNone(WorkloadRules.DaprAnnotations(k8s));

    [Fact]
    public void Chat_and_notify_autoscale_and_every_app_has_a_disruption_budget() => AssertNone(WorkloadRules.ScalingAndDisruption(k8s));

    [Fact]
    public void Each_app_runs_as_its_own_service_account_that_reads_only_its_secrets() => AssertNone(WorkloadRules.ServiceAccounts(k8s));

    [Fact]
    public void Access_control_denies_by_default_and_allows_exactly_the_topologys_calls() =>
        AssertNone(ConfigurationRules.AccessControl(k8s, AccessEnvironment.Kubernetes));

    [Fact]
    public void Each_app_reads_only_its_own_secrets_and_none_through_the_builtin_store() =>
        AssertNone(ConfigurationRules.SecretScopes(k8s, ["kubernetes"]));

    [Fact]
    public void Every_app_traces() => AssertNone(ConfigurationRules.Tracing(k8s));

    [Fact]
    public void The_control_plane_configuration_turns_mtls_on() => AssertNone(ConfigurationRules.ControlPlaneMtls(Repository.ControlPlane()));

    [Fact]
    public void Resiliency_covers_invocation_of_main_and_chat_and_both_pub_subs() => AssertNone(ConfigurationRules.Resiliency(k8s));

    [Fact]
    public void Network_policies_allow_what_each_app_needs_and_nothing_else() => AssertNone(NetworkRules.OnlyWhatEachAppNeeds(k8s));

    [Fact]
    public void The_ingress_routes_each_public_path_to_its_app_over_tls_with_socket_timeouts_and_session_affinity() => AssertNone(NetworkRules.Ingress(k8s));

    [Fact]
    public void Main_and_chat_agree_on_the_public_host()
    {
        var main = WorkloadRules.AppContainer(k8s.Find("Deployment", DaprNames.Apps.Main)!);
        var chat = WorkloadRules.AppContainer(k8s.Find("Deployment", DaprNames.Apps.Chat)!);
        var hosts = k8s.Of("Ingress").SelectMany(i => i.Root.At("spec").Maps("rules")).Select(r => r.Str("host")).Distinct().ToList();
        var host = Assert.Single(hosts);
        Assert.Equal($"wss://{host}", main.Maps("env").Single(e => e.Str("name") == "CHAT_SERVICE_URL").Str("value"));
        Assert.Equal($"https://{host}", chat.Maps("env").Single(e => e.Str("name") == "Chat__AllowedOrigins__0").Str("value"));
    }
}
