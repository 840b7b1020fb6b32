using System.Net;
using System.Text.Json.Nodes;
using LocalDapr.Components;
using LocalDapr.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>API tokens, secrets, health and metadata, and component loading, as daprd 1.16 behaves.</summary>
public sealed class SecurityAndMetadataTests
{
    [Fact]
    public async Task With_DAPR_API_TOKEN_set_a_call_without_it_is_a_plain_text_401_except_health()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null, apiToken: "s3cret");

        var refused = await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/metadata");
        var health = await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/healthz");
        using var withToken = new HttpRequestMessage(HttpMethod.Get, sidecar.HttpEndpoint + "/v1.0/metadata") { Headers = { { "dapr-api-token", "s3cret" } } };
        var accepted = await runtime.Http.SendAsync(withToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("text/plain", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid api token\n", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task The_callers_token_is_never_forwarded_and_the_app_gets_APP_API_TOKEN_instead()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (chat, _) = await runtime.AddAppAsync("chat", app => app.OnJson("GET /x", "{}"), apiToken: "caller-token", appApiToken: "app-token");
        var main = await runtime.AddSidecarAsync("main", null, apiToken: "caller-token");

        using var request = new HttpRequestMessage(HttpMethod.Get, main.HttpEndpoint + "/v1.0/invoke/chat/method/x") { Headers = { { "dapr-api-token", "caller-token" } } };
        Assert.Equal(HttpStatusCode.OK, (await runtime.Http.SendAsync(request)).StatusCode);

        Assert.Equal("app-token", chat.ReceivedOn("GET", "/x").Single().Headers["dapr-api-token"]);
        Assert.All(chat.ReceivedOn("GET", "/dapr/"), r => Assert.Equal("app-token", r.Headers["dapr-api-token"]));
    }

    [Fact]
    public async Task Secrets_come_from_the_local_file_flattened_and_errors_use_daprds_codes()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null);
        var url = sidecar.HttpEndpoint + "/v1.0/secrets";

        var kid = await (await runtime.Http.GetAsync(url + "/secrets/signing:kid")).JsonAsync();
        var bulk = await (await runtime.Http.GetAsync(url + "/secrets/bulk")).JsonAsync();

        Assert.Equal("k1", kid["signing:kid"]!.GetValue<string>());
        Assert.Equal("p3pp3r", bulk["pepper"]!["pepper"]!.GetValue<string>());
        await (await runtime.Http.GetAsync(url + "/nostore/x")).ShouldBeDaprErrorAsync(401, "ERR_SECRET_STORE_NOT_FOUND");
        await (await runtime.Http.GetAsync(url + "/secrets/missing")).ShouldBeDaprErrorAsync(500, "ERR_SECRET_GET");
    }

    [Fact]
    public async Task Health_waits_for_the_app_while_outbound_health_does_not()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var port = DaprChat.Testing.FreePort.Next();
        var sidecar = await runtime.Cluster.StartSidecarAsync(new LocalDapr.Hosting.SidecarOptions
        {
            AppId = "late", AppPort = port, HttpPort = 0, ResourcesPaths = [runtime.ComponentsDir],
        });

        await (await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/healthz")).ShouldBeDaprErrorAsync(500, "ERR_HEALTH_NOT_READY");
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/healthz/outbound")).StatusCode);
    }

    [Fact]
    public async Task Metadata_lists_the_app_its_components_and_its_subscriptions()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (_, sidecar) = await runtime.AddAppAsync("worker", app => app.OnJson("GET /dapr/subscribe", """[{"pubsubname":"events","topic":"t","route":"/t"}]"""));
        await runtime.Http.PutAsync(sidecar.HttpEndpoint + "/v1.0/metadata/build", new StringContent("abc"));

        var metadata = await (await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/metadata")).JsonAsync();

        Assert.Equal("worker", metadata["id"]!.GetValue<string>());
        var components = metadata["components"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["chatstore", "events", "fanout", "secrets", "userstore"], components.Order());
        var subscription = metadata["subscriptions"]!.AsArray().Single()!;
        Assert.Equal("t", subscription["topic"]!.GetValue<string>());
        Assert.Equal("PROGRAMMATIC", subscription["type"]!.GetValue<string>());
        Assert.Equal("", subscription["deadLetterTopic"]!.GetValue<string>());
        Assert.Equal("abc", metadata["extended"]!["build"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_component_of_an_unsupported_type_stops_start_up_naming_the_file_and_the_type()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory, extraYaml: """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: queue
            spec:
              type: bindings.kafka
              version: v1
              metadata: []
            """);

        var error = await Assert.ThrowsAsync<LocalDaprConfigException>(() => runtime.AddSidecarAsync("main", null));

        Assert.Contains("extra.yaml", error.Message);
        Assert.Contains("bindings.kafka", error.Message);
    }

    [Fact]
    public async Task A_taken_port_is_reported_clearly()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var first = await runtime.AddSidecarAsync("main", null);

        var error = await Assert.ThrowsAsync<LocalDaprConfigException>(() => runtime.Cluster.StartSidecarAsync(new LocalDapr.Hosting.SidecarOptions
        {
            AppId = "other", HttpPort = first.HttpPort, ResourcesPaths = [runtime.ComponentsDir],
        }));

        Assert.Contains($"port {first.HttpPort}", error.Message);
        Assert.Contains("already in use", error.Message);
    }

    [Fact]
    public async Task Component_scopes_hide_a_component_from_other_apps()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory, extraYaml: """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: summarystore
            spec:
              type: state.in-memory
              version: v1
              metadata: []
            scopes:
              - summarize
            """);
        var main = await runtime.AddSidecarAsync("main", null);
        var summarize = await runtime.AddSidecarAsync("summarize", null);

        await (await runtime.Http.GetAsync(main.HttpEndpoint + "/v1.0/state/summarystore/k")).ShouldBeDaprErrorAsync(400, "ERR_STATE_STORE_NOT_FOUND");
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(summarize.HttpEndpoint + "/v1.0/state/summarystore/k")).StatusCode);
    }
}
