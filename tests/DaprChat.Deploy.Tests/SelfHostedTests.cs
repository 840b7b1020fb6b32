using DaprChat.Deploy.Tests.Rules;
using Xunit;
using static DaprChat.Deploy.Tests.Problems;

namespace DaprChat.Deploy.Tests;

/// <summary>dapr.yaml and components/ for `dapr run -f` and `up`, against DaprTopology and against k8s/.</summary>
public sealed class SelfHostedTests
{
    private readonly ResourceSet selfHosted = Repository.SelfHosted();

    [Fact]
    public void The_run_template_runs_every_app_with_its_ports_protocol_health_check_and_configuration() =>
        AssertNone(SelfHostedRules.RunTemplate(Repository.RunTemplate(), Repository.Root));

    [Theory]
    [InlineData("selfhosted")]
    [InlineData("local-memory")]
    [InlineData("local-redis")]
    public void Every_component_folder_declares_the_topologys_names_scoped_to_their_users(string folder)
    {
        var components = Repository.Components(folder);
        AssertNone(ComponentRules.NamesAndScopes(components).Concat(ComponentRules.ActorStateStore(components)));
    }

    [Theory]
    [InlineData("selfhosted")]
    [InlineData("local-memory")]
    [InlineData("local-redis")]
    public void No_component_folder_holds_a_secret_in_plain_text(string folder) => AssertNone(WorkloadRules.NoPlainTextSecrets(Repository.Components(folder)));

    [Fact]
    public void Self_hosted_pub_subs_scope_topics_per_app() => AssertNone(ComponentRules.TopicScopes(selfHosted));

    [Fact]
    public void Self_hosted_summarystore_is_encrypted_through_a_store_its_sidecar_loads() => AssertNone(ComponentRules.SummaryEncryption(selfHosted, "kubernetes"));

    [Fact]
    public void Self_hosted_access_control_lists_the_same_calls_and_allows_by_default_until_mtls_gives_callers_identities() =>
        AssertNone(ConfigurationRules.AccessControl(selfHosted, AccessEnvironment.SelfHosted));

    [Fact]
    public void Self_hosted_secret_scopes_and_tracing_are_set_per_app() =>
        AssertNone(ConfigurationRules.SecretScopes(selfHosted, []).Concat(ConfigurationRules.Tracing(selfHosted)));

    [Fact]
    public void Self_hosted_resiliency_covers_the_same_targets() => AssertNone(ConfigurationRules.Resiliency(selfHosted));

    [Fact]
    public void Self_hosted_and_kubernetes_declare_the_same_components_scopes_and_rules() =>
        AssertNone(SelfHostedRules.AgreesWithKubernetes(selfHosted, Repository.Kubernetes()));
}
