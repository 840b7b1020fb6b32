using DaprChat.Contracts;
using DaprChat.Deploy.Tests.Rules;
using Xunit;
using static DaprChat.Deploy.Tests.Problems;

namespace DaprChat.Deploy.Tests;

/// <summary>Each rule catches the break it exists for: the real manifests, with one thing broken.</summary>
public sealed class BrokenManifestTests
{
    private readonly ResourceSet k8s = Repository.Kubernetes();

    private Dictionary<string, object?> Get(string kind, string name) => k8s.Find(kind, name)?.Root ?? throw new InvalidOperationException($"{kind}/{name} not rendered");

    private static Dictionary<string, object?> Metadata(Dictionary<string, object?> component, string name) =>
        component.At("spec").Maps("metadata").Single(m => m.Str("name") == name);

    private Dictionary<string, object?> Annotations(string app) => Get("Deployment", app).At("spec", "template", "metadata", "annotations")!;

    private Dictionary<string, object?> Container(string app) => WorkloadRules.AppContainer(k8s.Find("Deployment", app)!)!;

    [Fact]
    public void A_component_scoped_to_an_app_that_does_not_use_it_is_reported()
    {
        Get("Component", "userstore")["scopes"] = new List<object?> { "main", "notify" };
        AssertFound(ComponentRules.NamesAndScopes(k8s), "Component/userstore is scoped to notify");
    }

    [Fact]
    public void A_component_without_scopes_is_reported()
    {
        Get("Component", "secrets").Remove("scopes");
        AssertFound(ComponentRules.NamesAndScopes(k8s), "Component/secrets has no scopes");
    }

    [Fact]
    public void A_declared_component_no_app_uses_is_reported()
    {
        var extra = Yaml.ReadDocuments("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: { name: cache }\nspec: { type: state.redis, version: v1 }\nscopes: [main]", "test");
        AssertFound(ComponentRules.NamesAndScopes(k8s.With([Resource.From(extra[0], "test")])), "Component/cache is declared but no app uses it");
    }

    [Fact]
    public void A_missing_store_that_code_uses_is_reported()
    {
        var set = new ResourceSet(k8s.All.Where(r => r.Name != "summarystore"));
        AssertFound(ComponentRules.NamesAndScopes(set), "Component/summarystore is missing");
    }

    [Fact]
    public void A_store_of_the_wrong_kind_is_reported()
    {
        Get("Component", "chatstore").At("spec")!["type"] = "pubsub.redis";
        AssertFound(ComponentRules.NamesAndScopes(k8s), "expected a state.* component");
    }

    [Fact]
    public void Chatstore_without_actor_state_is_reported()
    {
        Metadata(Get("Component", "chatstore"), "actorStateStore")["value"] = "false";
        AssertFound(ComponentRules.ActorStateStore(k8s), "Component/chatstore lacks actorStateStore");
    }

    [Fact]
    public void A_topic_an_app_may_not_publish_is_reported()
    {
        Metadata(Get("Component", "events"), "publishingScopes")["value"] =
            "main=session.requested,summary.requested,summary.ready,main.dead-letter;chat=notify.offline-message,chat.session-ended;notify=notify.dead-letter;summarize=summary.ready,summary.failed,summarize.dead-letter";
        AssertFound(ComponentRules.TopicScopes(k8s), "publishingScopes of main has summary.ready");
    }

    [Fact]
    public void An_app_left_out_of_the_subscription_scopes_is_reported()
    {
        Metadata(Get("Component", "events"), "subscriptionScopes")["value"] = "main=chat.session-ended,main.dead-letter;chat=";
        AssertFound(ComponentRules.TopicScopes(k8s), "subscriptionScopes leaves out notify");
    }

    [Fact]
    public void A_missing_allowed_topic_is_reported()
    {
        Metadata(Get("Component", "fanout"), "allowedTopics")["value"] = "chat.message";
        AssertFound(ComponentRules.TopicScopes(k8s), "allowedTopics lacks chat.dead-letter");
    }

    [Fact]
    public void Summarystore_without_encryption_is_reported()
    {
        Get("Component", "summarystore").At("spec")!["metadata"] = Get("Component", "summarystore").At("spec").Maps("metadata")
            .Where(m => m.Str("name") != "primaryEncryptionKey").Cast<object?>().ToList();
        AssertFound(ComponentRules.SummaryEncryption(k8s, "kubernetes"), "has no primaryEncryptionKey");
    }

    [Fact]
    public void Summarystore_keyed_through_a_store_its_sidecar_lacks_is_reported()
    {
        var selfHosted = Repository.SelfHosted();
        selfHosted.Find("Component", "secrets")!.Root["scopes"] = new List<object?> { "main", "notify" };
        AssertFound(ComponentRules.SummaryEncryption(selfHosted, "kubernetes"), "which summarize's sidecar does not load");
    }

    [Fact]
    public void A_plain_text_password_in_a_component_is_reported()
    {
        var password = Metadata(Get("Component", "chatstore"), "redisPassword");
        password.Remove("secretKeyRef");
        password["value"] = "hunter2";
        AssertFound(WorkloadRules.NoPlainTextSecrets(k8s), "metadata redisPassword has a plain value");
    }

    [Fact]
    public void Credentials_in_a_connection_url_are_reported()
    {
        var db = Metadata(Get("Component", "userstore"), "databaseName");
        db["value"] = "mongodb://admin:pw@mongo:27017";
        AssertFound(WorkloadRules.NoPlainTextSecrets(k8s), "carries credentials in a URL");
    }

    [Fact]
    public void A_token_written_into_a_containers_env_is_reported()
    {
        var env = Container("notify").Maps("env").Single(e => e.Str("name") == "APP_API_TOKEN");
        env.Remove("valueFrom");
        env["value"] = "abc";
        AssertFound(WorkloadRules.NoPlainTextSecrets(k8s), "env APP_API_TOKEN has a plain value");
    }

    [Fact]
    public void A_committed_kubernetes_secret_is_reported()
    {
        var secret = Yaml.ReadDocuments("apiVersion: v1\nkind: Secret\nmetadata: { name: main-app-api-token }\nstringData: { token: x }", "test");
        AssertFound(WorkloadRules.NoPlainTextSecrets(k8s.With([Resource.From(secret[0], "test")])), "Secret/main-app-api-token is part of the manifests");
    }

    [Theory]
    [InlineData("allowPrivilegeEscalation", "true", "allowPrivilegeEscalation must be false")]
    [InlineData("readOnlyRootFilesystem", "false", "readOnlyRootFilesystem must be true")]
    [InlineData("runAsUser", "0", "overrides the pod's non-root user")]
    public void A_container_that_loosens_its_security_context_is_reported(string field, string value, string expected)
    {
        Container("chat").Map("securityContext")![field] = value;
        AssertFound(WorkloadRules.HardenedContainers(k8s), expected);
    }

    [Fact]
    public void A_container_keeping_its_capabilities_is_reported()
    {
        Container("main").Map("securityContext")!.Remove("capabilities");
        AssertFound(WorkloadRules.HardenedContainers(k8s), "capabilities must drop ALL");
    }

    [Fact]
    public void A_pod_without_non_root_or_seccomp_is_reported()
    {
        var pod = Get("Deployment", "summarize").At("spec", "template", "spec", "securityContext")!;
        pod.Remove("runAsNonRoot");
        pod.Remove("seccompProfile");
        var problems = WorkloadRules.HardenedContainers(k8s).ToList();
        AssertFound(problems, "Deployment/summarize: the pod must run as a non-root user");
        AssertFound(problems, "Deployment/summarize: the pod needs seccompProfile RuntimeDefault");
    }

    [Fact]
    public void A_container_without_limits_is_reported()
    {
        Container("notify").Map("resources")!.Remove("limits");
        AssertFound(WorkloadRules.HardenedContainers(k8s), "resources.limits.memory is missing");
    }

    [Fact]
    public void A_probe_off_the_health_endpoint_is_reported()
    {
        Container("main").At("livenessProbe", "httpGet")!["path"] = "/";
        AssertFound(WorkloadRules.HardenedContainers(k8s), "livenessProbe must GET /healthz");
    }

    [Fact]
    public void A_probe_on_a_port_the_container_lacks_is_reported()
    {
        Container("chat").At("readinessProbe", "httpGet")!["port"] = "9999";
        AssertFound(WorkloadRules.HardenedContainers(k8s), "readinessProbe port 9999");
    }

    [Fact]
    public void An_app_without_an_app_token_is_reported()
    {
        Annotations("main").Remove("dapr.io/app-token-secret");
        AssertFound(WorkloadRules.DaprAnnotations(k8s), "Deployment/main: dapr.io/app-token-secret is missing");
    }

    [Fact]
    public void An_app_reading_another_secret_than_its_sidecars_token_is_reported()
    {
        Container("chat").Maps("env").Single(e => e.Str("name") == "DAPR_API_TOKEN").At("valueFrom", "secretKeyRef")!["name"] = "main-dapr-api-token";
        AssertFound(WorkloadRules.DaprAnnotations(k8s), "the app's DAPR_API_TOKEN must come from Secret chat-dapr-api-token");
    }

    [Fact]
    public void Two_apps_sharing_a_token_is_reported()
    {
        Annotations("notify")["dapr.io/api-token-secret"] = "main-dapr-api-token";
        AssertFound(WorkloadRules.DaprAnnotations(k8s), "is also main's token");
    }

    [Theory]
    [InlineData("dapr.io/app-id", "chat", "dapr.io/app-id is chat, expected main")]
    [InlineData("dapr.io/app-port", "5080", "dapr.io/app-port 5080 is not a port")]
    [InlineData("dapr.io/app-protocol", "grpc", "dapr.io/app-protocol must be http")]
    [InlineData("dapr.io/config", "daprchat-chat", "dapr.io/config must be daprchat-main")]
    [InlineData("dapr.io/config", "daprchat", "which is not among the rendered Configurations")]
    [InlineData("dapr.io/app-health-check-path", "/health", "check the app's health at /healthz")]
    [InlineData("dapr.io/disable-builtin-k8s-secret-store", "true", "none")]
    public void A_wrong_sidecar_annotation_is_reported(string annotation, string value, string expected)
    {
        Annotations("main")[annotation] = value;
        if (expected == "none")
        {
            // main keeps no summaries, so it may drop the built-in store; summarize may not.
            AssertNone(WorkloadRules.DaprAnnotations(k8s));
            Annotations("summarize")[annotation] = value;
            expected = "daprd stores summaries unencrypted";
        }

        AssertFound(WorkloadRules.DaprAnnotations(k8s), expected);
    }

    [Fact]
    public void Missing_sidecar_resources_are_reported()
    {
        Annotations("summarize").Remove("dapr.io/sidecar-memory-limit");
        AssertFound(WorkloadRules.DaprAnnotations(k8s), "dapr.io/sidecar-memory-limit must be set");
    }

    [Fact]
    public void An_autoscaled_deployment_that_pins_replicas_or_lacks_its_hpa_is_reported()
    {
        Get("Deployment", "chat").At("spec")!["replicas"] = "3";
        var set = new ResourceSet(k8s.All.Where(r => !(r.Kind == "HorizontalPodAutoscaler" && r.Name == "notify")));
        var problems = WorkloadRules.ScalingAndDisruption(set).ToList();
        AssertFound(problems, "Deployment/chat sets replicas");
        AssertFound(problems, "Deployment/notify needs a HorizontalPodAutoscaler");
    }

    [Fact]
    public void A_disruption_budget_that_blocks_drains_or_is_missing_is_reported()
    {
        Get("PodDisruptionBudget", "main").At("spec")!["minAvailable"] = "2";
        var set = new ResourceSet(k8s.All.Where(r => !(r.Kind == "PodDisruptionBudget" && r.Name == "summarize")));
        var problems = WorkloadRules.ScalingAndDisruption(set).ToList();
        AssertFound(problems, "PodDisruptionBudget/main allows no disruption with 2 replicas");
        AssertFound(problems, "Deployment/summarize has no PodDisruptionBudget");
    }

    [Fact]
    public void A_service_account_that_reads_another_apps_secret_is_reported()
    {
        Get("Role", "notify-secret-reader").Maps("rules").Single()["resourceNames"] = new List<object?> { "notify-fcm-service-account", "main-signing-key" };
        AssertFound(WorkloadRules.ServiceAccounts(k8s), "ServiceAccount/notify readable Secrets has main-signing-key");
    }

    [Fact]
    public void A_service_account_that_reads_every_secret_is_reported()
    {
        Get("Role", "main-secret-reader").Maps("rules").Single().Remove("resourceNames");
        AssertFound(WorkloadRules.ServiceAccounts(k8s), "may list or read all Secrets");
    }

    [Fact]
    public void Access_control_that_allows_by_default_is_reported()
    {
        Get("Configuration", "daprchat-chat").At("spec", "accessControl")!["defaultAction"] = "allow";
        AssertFound(ConfigurationRules.AccessControl(k8s, AccessEnvironment.Kubernetes), "Configuration/daprchat-chat accessControl.defaultAction is allow");
    }

    [Fact]
    public void Letting_notify_read_transcripts_is_reported()
    {
        var policies = Get("Configuration", "daprchat-chat").At("spec", "accessControl")!.List("policies");
        policies.Add(Yaml.ReadDocuments("appId: notify\ndefaultAction: deny\ntrustDomain: public\nnamespace: daprchat\noperations: [{ name: /sessions/**, httpVerb: [GET], action: allow }]", "test")[0]);
        AssertFound(ConfigurationRules.AccessControl(k8s, AccessEnvironment.Kubernetes), "accessControl has notify GET /sessions/**");
    }

    [Fact]
    public void Taking_notify_off_mains_device_route_is_reported()
    {
        var notify = Get("Configuration", "daprchat-main").At("spec", "accessControl").Maps("policies").Single(p => p.Str("appId") == "notify");
        notify["operations"] = notify.Maps("operations").Where(o => o.Str("name") != DaprTopology.Routes.DeviceTokens).Cast<object?>().ToList();
        AssertFound(ConfigurationRules.AccessControl(k8s, AccessEnvironment.Kubernetes), "lacks notify GET /internal/devices/**");
    }

    [Fact]
    public void A_wildcard_inside_an_operation_is_reported_because_daprd_never_matches_it()
    {
        var main = Get("Configuration", "daprchat-chat").At("spec", "accessControl").Maps("policies").Single(p => p.Str("appId") == "main");
        main.Maps("operations").Single(o => o.Str("name") == DaprTopology.Routes.Transcripts)["name"] = "/sessions/*/transcript";
        AssertFound(ConfigurationRules.AccessControl(k8s, AccessEnvironment.Kubernetes), "has a wildcard before its last segment");
    }

    [Fact]
    public void A_caller_policy_that_allows_by_default_is_reported()
    {
        Get("Configuration", "daprchat-summarize").At("spec", "accessControl").Maps("policies").Single()["defaultAction"] = "allow";
        AssertFound(ConfigurationRules.AccessControl(k8s, AccessEnvironment.Kubernetes), "policy for main: defaultAction must be deny");
    }

    [Fact]
    public void A_secret_allowed_to_the_wrong_app_is_reported()
    {
        var scope = Get("Configuration", "daprchat-notify").At("spec", "secrets").Maps("scopes").Single(s => s.Str("storeName") == "secrets");
        scope["allowedSecrets"] = new List<object?> { "notify-fcm-service-account", "main-student-key-pepper" };
        AssertFound(ConfigurationRules.SecretScopes(k8s, ["kubernetes"]), "allowedSecrets has main-student-key-pepper");
    }

    [Fact]
    public void An_open_builtin_secret_store_is_reported()
    {
        Get("Configuration", "daprchat-chat").At("spec")!.Remove("secrets");
        AssertFound(ConfigurationRules.SecretScopes(k8s, ["kubernetes"]), "Configuration/daprchat-chat must close the kubernetes secret store");
    }

    [Fact]
    public void A_configuration_without_tracing_is_reported()
    {
        Get("Configuration", "daprchat-notify").At("spec")!.Remove("tracing");
        AssertFound(ConfigurationRules.Tracing(k8s), "daprchat-notify needs tracing");
    }

    [Fact]
    public void A_control_plane_without_mtls_is_reported()
    {
        var controlPlane = Repository.ControlPlane();
        controlPlane.Find("Configuration", "daprsystem")!.Root.At("spec", "mtls")!["enabled"] = "false";
        AssertFound(ConfigurationRules.ControlPlaneMtls(controlPlane), "must enable mTLS");
    }

    [Fact]
    public void Resiliency_missing_a_target_or_naming_an_unknown_policy_is_reported()
    {
        var targets = k8s.Of("Resiliency").Single().Root.At("spec", "targets")!;
        targets.Map("apps")!.Remove("chat");
        targets.At("components", "events", "outbound")!["retry"] = "forever";
        var problems = ConfigurationRules.Resiliency(k8s).ToList();
        AssertFound(problems, "must give invocation of chat a timeout and a retry");
        AssertFound(problems, "names retries policy forever");
    }

    [Fact]
    public void Without_a_default_deny_policy_strangers_reach_the_apps()
    {
        var set = new ResourceSet(k8s.All.Where(r => !(r.Kind == "NetworkPolicy" && r.Name == "default-deny")));
        var problems = NetworkRules.OnlyWhatEachAppNeeds(set).ToList();
        AssertFound(problems, "no default-deny NetworkPolicy");
    }

    [Fact]
    public void A_policy_that_lets_notify_call_chat_is_reported()
    {
        var chat = Get("NetworkPolicy", "chat").At("spec")!;
        chat.Maps("ingress").Last().List("from").Add(Yaml.ReadDocuments("podSelector: { matchLabels: { app.kubernetes.io/name: notify } }", "test")[0]);
        Get("NetworkPolicy", "notify").At("spec").Maps("egress").First().List("to")
            .Add(Yaml.ReadDocuments("podSelector: { matchLabels: { app.kubernetes.io/name: chat } }", "test")[0]);
        AssertFound(NetworkRules.OnlyWhatEachAppNeeds(k8s), "notify -> chat:50002/TCP is allowed, but nothing needs it");
    }

    [Fact]
    public void A_policy_that_cuts_summarize_off_chat_is_reported()
    {
        var summarize = Get("NetworkPolicy", "summarize").At("spec")!;
        summarize["egress"] = summarize.Maps("egress").Skip(1).Cast<object?>().ToList();
        AssertFound(NetworkRules.OnlyWhatEachAppNeeds(k8s), "summarize -> chat:50002/TCP is denied, but needed");
    }

    [Fact]
    public void Exposing_summarize_to_the_ingress_or_chat_to_the_internet_is_reported()
    {
        Get("NetworkPolicy", "summarize").At("spec")!.List("ingress")
            .Add(Yaml.ReadDocuments("from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } } }]\nports: [{ protocol: TCP, port: 8080 }]", "test")[0]);
        Get("NetworkPolicy", "chat").At("spec")!.List("egress")
            .Add(Yaml.ReadDocuments("to: [{ ipBlock: { cidr: 0.0.0.0/0 } }]\nports: [{ protocol: TCP, port: 443 }]", "test")[0]);
        var problems = NetworkRules.OnlyWhatEachAppNeeds(k8s).ToList();
        AssertFound(problems, "ingress-nginx -> summarize:8080/TCP is allowed");
        AssertFound(problems, "chat -> fcm.googleapis.com:443/TCP is allowed");
    }

    [Fact]
    public void An_ingress_without_tls_or_session_affinity_is_reported()
    {
        var chat = Get("Ingress", "chat");
        chat.At("spec")!.Remove("tls");
        chat.At("metadata", "annotations")!.Remove("nginx.ingress.kubernetes.io/upstream-hash-by");
        var problems = NetworkRules.Ingress(k8s).ToList();
        AssertFound(problems, "Ingress/chat: host daprchat.example.org has no TLS");
        AssertFound(problems, "needs upstream-hash-by on the path");
    }

    [Fact]
    public void An_ingress_that_routes_a_path_to_the_wrong_app_or_times_sockets_out_is_reported()
    {
        var chat = Get("Ingress", "chat");
        chat.At("metadata", "annotations")!["nginx.ingress.kubernetes.io/proxy-read-timeout"] = "60";
        Get("Ingress", "notify").At("spec").Maps("rules").Single().At("http").Maps("paths").Single().At("backend", "service")!["name"] = "main";
        var problems = NetworkRules.Ingress(k8s).ToList();
        AssertFound(problems, "proxy-read-timeout must be at least 3600 s");
        AssertFound(problems, "Ingress routes has /notifications/stream -> main");
    }

    [Fact]
    public void A_run_template_with_tokens_in_env_or_a_missing_grpc_port_is_reported()
    {
        var template = Repository.RunTemplate();
        var chat = template.Maps("apps").Single(a => a.Str("appID") == "chat");
        chat.Remove("daprGRPCPort");
        template.Map("common")!.Map("env")!["APP_API_TOKEN"] = "x";
        var problems = SelfHostedRules.RunTemplate(template, Repository.Root).ToList();
        AssertFound(problems, "dapr.yaml chat: daprGRPCPort is missing");
        AssertFound(problems, "APP_API_TOKEN in env reaches the app but not daprd");
    }

    [Fact]
    public void A_run_template_with_clashing_ports_or_another_apps_configuration_is_reported()
    {
        var template = Repository.RunTemplate();
        var apps = template.Maps("apps").ToList();
        apps[1]["daprGRPCPort"] = apps[0].Str("daprGRPCPort");
        apps[2]["configFilePath"] = apps[0].Str("configFilePath")!.Replace("main", "notify", StringComparison.Ordinal).Replace("notify.yaml", "main.yaml", StringComparison.Ordinal);
        var problems = SelfHostedRules.RunTemplate(template, Repository.Root).ToList();
        AssertFound(problems, "daprGRPCPort 50001 is also main daprGRPCPort");
        AssertFound(problems, "is not Configuration daprchat-notify");
    }

    [Fact]
    public void Self_hosted_components_that_drift_from_kubernetes_are_reported()
    {
        var selfHosted = Repository.SelfHosted();
        selfHosted.Find("Component", "fanout")!.Root["scopes"] = new List<object?> { "chat", "notify", "summarize" };
        var config = selfHosted.Find("Configuration", "daprchat-main")!.Root.At("spec", "accessControl").Maps("policies").First();
        config.Maps("operations").First()["httpVerb"] = new List<object?> { "GET", "POST" };
        var problems = SelfHostedRules.AgreesWithKubernetes(selfHosted, k8s).ToList();
        AssertFound(problems, "Component/fanout self-hosted scopes has summarize");
        AssertFound(problems, "Configuration/daprchat-main self-hosted access and secret rules");
    }

    [Fact]
    public void Code_that_uses_a_store_or_topic_its_topology_lacks_is_reported()
    {
        var sources = new[]
        {
            ("Fake.cs", "await dapr.SaveStateAsync(DaprNames.StateStores.Summaries, key, value); await dapr.PublishEventAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryReady, e);"),
            ("Options.cs", "public string GeminiKeySecret { get; set; } = \"summarize-gemini-api-key\";"),
            ("Client.cs", "using var request = dapr.CreateInvokeMethodRequest(HttpMethod.Get, DaprNames.Apps.Summarize, \"summaries/1\");"),
        };
        var problems = CodeRules.NamesUsedByCode(DaprNames.Apps.Chat, sources).ToList();
        AssertFound(problems, "chat uses StateStores summarystore");
        AssertFound(problems, "chat uses Topics summary.ready");
        AssertFound(problems, "chat reads secret summarize-gemini-api-key");
        AssertFound(problems, "chat invokes summarize");
    }
}
