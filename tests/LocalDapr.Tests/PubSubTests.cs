using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using LocalDapr.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>Publish, CloudEvent delivery and the app's SUCCESS / RETRY / DROP answers, as daprd 1.16 handles them.</summary>
public sealed class PubSubTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const string Subscribe = """
        [{"pubsubname":"events","topic":"orders","route":"/orders","deadLetterTopic":"orders-dead"},
         {"pubsubname":"events","topic":"orders-dead","route":"/dead"},
         {"pubsubname":"fanout","topic":"chat.message","routes":{"rules":[{"match":"event.type == \"urgent\"","path":"/urgent"}],"default":"/chat"}}]
        """;

    private Task<Runtime> StartAsync(Profile profile) => Runtime.StartAsync(profile, profile == Profile.Redis ? redis.Server : null);

    private static void Reply(TestApp app, string path, Func<ReceivedRequest, (int Status, string Body)> reply) =>
        app.On("POST " + path, async (context, request) =>
        {
            var (status, body) = reply(request);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_published_json_event_arrives_as_a_cloudevent_from_the_publisher(Profile profile)
    {
        await using var runtime = await StartAsync(profile);
        var (worker, _) = await runtime.AddAppAsync("worker", app => app.OnJson("GET /dapr/subscribe", Subscribe));
        var publisher = await runtime.AddSidecarAsync("main", null);

        var publish = await runtime.Http.PostJsonAsync(publisher.HttpEndpoint + "/v1.0/publish/events/orders", """{"orderId":7}""");

        Assert.Equal(HttpStatusCode.NoContent, publish.StatusCode);
        await HttpExtensions.EventuallyAsync(() => worker.ReceivedOn("POST", "/orders").Any());
        var delivery = worker.ReceivedOn("POST", "/orders").Single();
        Assert.StartsWith("application/cloudevents+json", delivery.Headers["content-type"], StringComparison.Ordinal);
        Assert.Equal("events", delivery.Headers["pubsubname"]);
        var envelope = JsonNode.Parse(delivery.Body)!;
        Assert.Equal("main", envelope["source"]!.GetValue<string>());
        Assert.Equal("com.dapr.event.sent", envelope["type"]!.GetValue<string>());
        Assert.Equal("1.0", envelope["specversion"]!.GetValue<string>());
        Assert.Equal("orders", envelope["topic"]!.GetValue<string>());
        Assert.Equal("events", envelope["pubsubname"]!.GetValue<string>());
        // The request's Content-Type exactly as sent.
        Assert.Equal("application/json; charset=utf-8", envelope["datacontenttype"]!.GetValue<string>());
        Assert.Equal(7, envelope["data"]!["orderId"]!.GetValue<int>());
        Assert.True(Guid.TryParse(envelope["id"]!.GetValue<string>(), out _));
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task An_event_answered_with_RETRY_is_delivered_again_and_one_answered_DROP_is_not(Profile profile)
    {
        await using var runtime = await StartAsync(profile);
        var attempts = new ConcurrentDictionary<string, int>();
        var (worker, sidecar) = await runtime.AddAppAsync("worker", app =>
        {
            app.OnJson("GET /dapr/subscribe", """[{"pubsubname":"events","topic":"jobs","route":"/jobs"}]""");
            Reply(app, "/jobs", request =>
            {
                var kind = JsonNode.Parse(request.Body)!["data"]!["kind"]!.GetValue<string>();
                var n = attempts.AddOrUpdate(kind, 1, (_, v) => v + 1);
                return kind == "retry" && n < 3 ? (200, """{"status":"RETRY"}""") : kind == "drop" ? (200, """{"status":"DROP"}""") : (200, """{"status":"SUCCESS"}""");
            });
        });

        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events/jobs", """{"kind":"retry"}""");
        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events/jobs", """{"kind":"drop"}""");

        await HttpExtensions.EventuallyAsync(() => attempts.GetValueOrDefault("retry") == 3, TimeSpan.FromSeconds(15), "RETRY should be redelivered until SUCCESS");
        await Task.Delay(profile == Profile.Redis ? 1500 : 600);
        Assert.Equal(3, attempts["retry"]);
        Assert.Equal(1, attempts["drop"]);
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task An_event_the_app_fails_goes_to_the_dead_letter_topic(Profile profile)
    {
        await using var runtime = await StartAsync(profile);
        var (worker, sidecar) = await runtime.AddAppAsync("worker", app =>
        {
            app.OnJson("GET /dapr/subscribe", Subscribe);
            Reply(app, "/orders", _ => (500, "boom"));
            Reply(app, "/dead", _ => (200, ""));
        });

        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events/orders", """{"orderId":1}""");

        await HttpExtensions.EventuallyAsync(() => worker.ReceivedOn("POST", "/dead").Any(), TimeSpan.FromSeconds(10));
        var dead = JsonNode.Parse(worker.ReceivedOn("POST", "/dead").First().Body)!;
        Assert.Equal(1, dead["data"]!["orderId"]!.GetValue<int>());
        Assert.Single(worker.ReceivedOn("POST", "/orders"));
    }

    [Fact]
    public async Task A_404_from_the_app_drops_the_event_without_a_retry_or_dead_letter()
    {
        await using var runtime = await StartAsync(Profile.Memory);
        var (worker, sidecar) = await runtime.AddAppAsync("worker", app => app.OnJson("GET /dapr/subscribe", Subscribe));

        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events/orders", """{"orderId":1}""");

        await HttpExtensions.EventuallyAsync(() => worker.ReceivedOn("POST", "/orders").Any());
        await Task.Delay(500);
        Assert.Single(worker.ReceivedOn("POST", "/orders"));
        Assert.Empty(worker.ReceivedOn("POST", "/dead"));
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task Uuid_consumers_each_get_every_event_while_one_app_ids_instances_share_them(Profile profile)
    {
        await using var runtime = await StartAsync(profile);
        const string subscriptions = """
            [{"pubsubname":"fanout","topic":"chat.message","route":"/chat"},{"pubsubname":"events","topic":"work","route":"/work"}]
            """;
        var apps = new List<TestApp>();
        for (var i = 0; i < 2; i++)
        {
            var (app, _) = await runtime.AddAppAsync("chat", a =>
            {
                a.OnJson("GET /dapr/subscribe", subscriptions);
                Reply(a, "/chat", _ => (200, ""));
                Reply(a, "/work", _ => (200, ""));
            });
            apps.Add(app);
        }

        var publisher = await runtime.AddSidecarAsync("main", null);
        for (var i = 0; i < 10; i++)
        {
            await runtime.Http.PostJsonAsync(publisher.HttpEndpoint + "/v1.0/publish/fanout/chat.message", $$"""{"n":{{i}}}""");
            await runtime.Http.PostJsonAsync(publisher.HttpEndpoint + "/v1.0/publish/events/work", $$"""{"n":{{i}}}""");
        }

        await HttpExtensions.EventuallyAsync(() => apps.All(a => a.ReceivedOn("POST", "/chat").Count() == 10), TimeSpan.FromSeconds(10), "each {uuid} consumer gets all 10");
        await HttpExtensions.EventuallyAsync(() => apps.Sum(a => a.ReceivedOn("POST", "/work").Count()) == 10, TimeSpan.FromSeconds(10), "the app-id group gets each event once");
        await Task.Delay(300);
        Assert.Equal(10, apps.Sum(a => a.ReceivedOn("POST", "/work").Count()));
        Assert.All(apps, a => Assert.InRange(a.ReceivedOn("POST", "/work").Count(), 1, 9));
    }

    [Fact]
    public async Task Route_rules_pick_the_path_by_cloudevent_attributes()
    {
        await using var runtime = await StartAsync(Profile.Memory);
        var (chat, sidecar) = await runtime.AddAppAsync("chat", app =>
        {
            app.OnJson("GET /dapr/subscribe", Subscribe);
            Reply(app, "/urgent", _ => (200, ""));
            Reply(app, "/chat", _ => (200, ""));
        });

        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/fanout/chat.message?metadata.cloudevent.type=urgent", "{}");
        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/fanout/chat.message", "{}");

        await HttpExtensions.EventuallyAsync(() => chat.ReceivedOn("POST", "/urgent").Count() == 1 && chat.ReceivedOn("POST", "/chat").Count() == 1);
    }

    [Fact]
    public async Task Text_binary_and_raw_payloads_are_enveloped_as_daprd_does()
    {
        await using var runtime = await StartAsync(Profile.Memory);
        var (app, sidecar) = await runtime.AddAppAsync("worker", a =>
        {
            a.OnJson("GET /dapr/subscribe", """[{"pubsubname":"events","topic":"t","route":"/t"},{"pubsubname":"events","topic":"raw","route":"/raw","metadata":{"rawPayload":"true"}}]""");
            Reply(a, "/t", _ => (200, ""));
            Reply(a, "/raw", _ => (200, ""));
        });
        var url = sidecar.HttpEndpoint + "/v1.0/publish/events/";

        await runtime.Http.PostAsync(url + "t", new StringContent("hello", System.Text.Encoding.UTF8, "text/plain"));
        await runtime.Http.PostAsync(url + "t", new ByteArrayContent([1, 2, 3]) { Headers = { ContentType = new("application/octet-stream") } });
        await runtime.Http.PostAsync(url + "raw?metadata.rawPayload=true", new StringContent("just bytes"));

        await HttpExtensions.EventuallyAsync(() => app.ReceivedOn("POST", "/t").Count() == 2 && app.ReceivedOn("POST", "/raw").Any());
        var envelopes = app.ReceivedOn("POST", "/t").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Contains(envelopes, e => e["data"]?.GetValue<string>() == "hello" && e["datacontenttype"]!.GetValue<string>().StartsWith("text/plain", StringComparison.Ordinal));
        Assert.Contains(envelopes, e => e["data_base64"]?.GetValue<string>() == "AQID");
        var raw = JsonNode.Parse(app.ReceivedOn("POST", "/raw").Single().Body)!;
        Assert.Equal("just bytes", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(raw["data_base64"]!.GetValue<string>())));
        await (await runtime.Http.PostAsync(url + "t?metadata.rawPayload=maybe", new StringContent("x"))).ShouldBeDaprErrorAsync(400, "ERR_PUBSUB_REQUEST_METADATA");
    }

    [Fact]
    public async Task Publishing_to_an_unknown_pubsub_or_an_empty_topic_is_a_404()
    {
        await using var runtime = await StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null);

        await (await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/nope/t", "{}")).ShouldBeDaprErrorAsync(404, "ERR_PUBSUB_NOT_FOUND");
        await (await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events", "{}")).ShouldBeDaprErrorAsync(404, "ERR_TOPIC_NAME_EMPTY");
    }

    [Fact]
    public async Task An_expired_event_is_not_delivered()
    {
        await using var runtime = await StartAsync(Profile.Memory);
        var (app, sidecar) = await runtime.AddAppAsync("worker", a =>
        {
            a.OnJson("GET /dapr/subscribe", """[{"pubsubname":"events","topic":"t","route":"/t"}]""");
            Reply(a, "/t", _ => (200, ""));
        });

        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events/t?metadata.ttlInSeconds=0", """{"late":true}""");
        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events/t?metadata.ttlInSeconds=60", """{"late":false}""");

        await HttpExtensions.EventuallyAsync(() => app.ReceivedOn("POST", "/t").Any());
        await Task.Delay(300);
        var delivered = app.ReceivedOn("POST", "/t").Select(r => JsonNode.Parse(r.Body)!).Single();
        Assert.False(delivered["data"]!["late"]!.GetValue<bool>());
        Assert.NotNull(delivered["expiration"]);
    }

    [Fact]
    public async Task A_declarative_subscription_resource_is_delivered_and_scoped_to_its_apps()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory, extraYaml: """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: audit
            spec:
              pubsubname: events
              topic: audit
              routes:
                default: /audit
            scopes:
              - notify
            """);
        var (notify, sidecar) = await runtime.AddAppAsync("notify", a => Reply(a, "/audit", _ => (200, "")));
        var (other, _) = await runtime.AddAppAsync("summarize", a => Reply(a, "/audit", _ => (200, "")));

        await runtime.Http.PostJsonAsync(sidecar.HttpEndpoint + "/v1.0/publish/events/audit", """{"who":"x"}""");

        await HttpExtensions.EventuallyAsync(() => notify.ReceivedOn("POST", "/audit").Any());
        var metadata = await (await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/metadata")).JsonAsync();
        Assert.Equal("DECLARATIVE", metadata["subscriptions"]![0]!["type"]!.GetValue<string>());
        await Task.Delay(200);
        Assert.Empty(other.ReceivedOn("POST", "/audit"));
    }
}
