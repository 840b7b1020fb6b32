using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using LocalDapr.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace LocalDapr.Tests.Grpc;

/// <summary>Publish, invocation, secrets, metadata and shutdown over the gRPC API, with the official SDK where it has the call.</summary>
public sealed class GrpcApiTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const string Subscribe = """[{"pubsubname":"events","topic":"orders","route":"/orders"},{"pubsubname":"events","topic":"raw","route":"/raw","metadata":{"rawPayload":"true"}}]""";

    public sealed record Order(string Id, int Quantity);

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task An_event_published_over_gRPC_arrives_as_the_same_cloudevent_HTTP_publishing_makes(Profile profile)
    {
        await using var runtime = await Runtime.StartAsync(profile, profile == Profile.Redis ? redis.Server : null);
        var (worker, _) = await runtime.AddAppAsync("worker", app => app.OnJson("GET /dapr/subscribe", Subscribe).OnJson("POST /orders", "{}").OnJson("POST /raw", "{}"));
        var publisher = await runtime.AddSidecarAsync("main", null);
        using var dapr = GrpcClients.Sdk(publisher);

        await dapr.PublishEventAsync("events", "orders", new Order("o1", 2));
        await dapr.PublishEventAsync("events", "orders", new CloudEvent<Order>(new Order("o2", 1)) { Type = "order.placed", Source = new Uri("urn:shop") });
        await dapr.PublishEventAsync("events", "raw", new Order("o3", 1), new Dictionary<string, string> { ["rawPayload"] = "true" });

        await HttpExtensions.EventuallyAsync(() => worker.ReceivedOn("POST", "/orders").Count() == 2 && worker.ReceivedOn("POST", "/raw").Any());
        var envelopes = worker.ReceivedOn("POST", "/orders").Select(r => JsonNode.Parse(r.Body)!).ToList();
        var plain = envelopes.Single(e => e["data"]!["id"]!.GetValue<string>() == "o1");
        Assert.Equal("main", plain["source"]!.GetValue<string>());
        Assert.Equal("com.dapr.event.sent", plain["type"]!.GetValue<string>());
        Assert.Equal("application/json", plain["datacontenttype"]!.GetValue<string>());
        Assert.Equal("1.0", plain["specversion"]!.GetValue<string>());
        Assert.True(Guid.TryParse(plain["id"]!.GetValue<string>(), out _));
        Assert.Equal(2, plain["data"]!["quantity"]!.GetValue<int>());

        // application/cloudevents+json: the SDK's own envelope is kept, with topic, pubsub name and specversion added as
        // contrib's FromCloudEvent does; that adds no id, so none arrives (daprd delivers it the same way).
        var own = envelopes.Single(e => e["data"]!["id"]!.GetValue<string>() == "o2");
        Assert.Equal("order.placed", own["type"]!.GetValue<string>());
        Assert.Equal("urn:shop", own["source"]!.GetValue<string>());
        Assert.Equal("orders", own["topic"]!.GetValue<string>());
        Assert.Equal("1.0", own["specversion"]!.GetValue<string>());
        Assert.Null(own["id"]);

        // rawPayload: the bytes as published, wrapped for the app only because its subscription asks for raw payloads.
        var raw = JsonNode.Parse(worker.ReceivedOn("POST", "/raw").Single().Body)!;
        Assert.Equal("o3", JsonNode.Parse(Convert.FromBase64String(raw["data_base64"]!.GetValue<string>()))!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_publish_delivers_every_entry_and_reports_no_failures()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (worker, _) = await runtime.AddAppAsync("worker", app => app.OnJson("GET /dapr/subscribe", Subscribe).OnJson("POST /orders", "{}"));
        var publisher = await runtime.AddSidecarAsync("main", null);
        using var dapr = GrpcClients.Sdk(publisher);

        var response = await dapr.BulkPublishEventAsync("events", "orders", [new Order("b1", 1), new Order("b2", 2), new Order("b3", 3)]);

        Assert.Empty(response.FailedEntries);
        await HttpExtensions.EventuallyAsync(() => worker.ReceivedOn("POST", "/orders").Count() == 3);
        Assert.Equal(["b1", "b2", "b3"], worker.ReceivedOn("POST", "/orders").Select(r => JsonNode.Parse(r.Body)!["data"]!["id"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Publishing_to_an_unknown_pubsub_or_an_empty_topic_is_InvalidArgument_with_daprs_reasons()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null);
        using var dapr = GrpcClients.Sdk(sidecar);

        var unknown = await GrpcClients.ShouldFailAsync(StatusCode.InvalidArgument, () => dapr.PublishEventAsync("nope", "orders", 1));
        Assert.Equal("pubsub nope is not found", unknown.Status.Detail);
        Assert.Equal("DAPR_PUBSUB_NOT_FOUND", unknown.ErrorInfo().Reason);

        var (channel, raw) = GrpcClients.Raw(sidecar);
        using var _ = channel;
        var empty = await GrpcClients.ShouldFailAsync(StatusCode.InvalidArgument, async () => await raw.PublishEventAsync(new PublishEventRequest { PubsubName = "events", Topic = "" }));
        Assert.Equal("topic is empty in pubsub events", empty.Status.Detail);
        Assert.Equal("DAPR_PUBSUB_TOPIC_NAME_EMPTY", empty.ErrorInfo().Reason);
    }

    [Fact]
    public async Task Secrets_over_gRPC_equal_the_HTTP_answers_and_an_unknown_store_is_InvalidArgument_without_details()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null);
        using var dapr = GrpcClients.Sdk(sidecar);

        var kid = await dapr.GetSecretAsync("secrets", "signing:kid");
        var bulk = await dapr.GetBulkSecretAsync("secrets");
        var httpBulk = await (await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/secrets/secrets/bulk")).JsonAsync();

        Assert.Equal("k1", kid["signing:kid"]);
        Assert.Equal(httpBulk.AsObject().Select(kv => kv.Key).Order(), bulk.Keys.Order());
        Assert.Equal("p3pp3r", bulk["pepper"]["pepper"]);
        var missing = await GrpcClients.ShouldFailAsync(StatusCode.InvalidArgument, () => dapr.GetSecretAsync("nope", "k"));
        Assert.Equal("failed finding secret store with key nope", missing.Status.Detail);
        Assert.Null(missing.Details());
        var unknownKey = await GrpcClients.ShouldFailAsync(StatusCode.Internal, () => dapr.GetSecretAsync("secrets", "missing"));
        Assert.StartsWith("failed getting secret with key missing from secret store secrets", unknownKey.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_set_over_gRPC_shows_over_HTTP_and_shutdown_over_gRPC_stops_the_sidecar()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null);
        using var dapr = GrpcClients.Sdk(sidecar);
        var shutdown = new TaskCompletionSource();
        sidecar.ShutdownRequested += _ => shutdown.TrySetResult();

        await dapr.SetMetadataAsync("build", "42");
        var metadata = await dapr.GetMetadataAsync();
        var overHttp = await (await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/metadata")).JsonAsync();

        Assert.Equal("main", metadata.Id);
        Assert.Equal("42", metadata.Extended["build"]);
        Assert.Equal("42", overHttp["extended"]!["build"]!.GetValue<string>());
        Assert.Equal(["chatstore", "events", "fanout", "secrets", "userstore"], metadata.Components.Select(c => c.Name).Order());
        Assert.Contains("ETAG", metadata.Components.Single(c => c.Name == "chatstore").Capabilities);

        await dapr.ShutdownSidecarAsync();
        await shutdown.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task InvokeService_calls_the_http_app_with_the_verb_query_and_body_and_an_app_error_keeps_its_status()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        await runtime.AddAppAsync("chat", app => app
            .On("PUT /rooms/r1", async (context, request) =>
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$"""{"got":{{request.BodyText}},"query":"{{request.Query}}","caller":"{{request.Headers["dapr-caller-app-id"]}}"}""");
            })
            .OnJson("GET /broken", """{"error":"boom"}""", status: 404));
        var main = await runtime.AddSidecarAsync("main", null);
        var (channel, raw) = GrpcClients.Raw(main);
        using var _ = channel;

        var call = new InvokeServiceRequest
        {
            Id = "chat",
            Message = new InvokeRequest
            {
                Method = "rooms/r1",
                ContentType = "application/json",
                Data = new Google.Protobuf.WellKnownTypes.Any { Value = ByteString.CopyFromUtf8("""{"n":1}""") },
                HttpExtension = new HTTPExtension { Verb = HTTPExtension.Types.Verb.Put, Querystring = "a=1" },
            },
        };
        var response = await raw.InvokeServiceAsync(call);

        Assert.Equal("application/json", response.ContentType);
        var body = JsonNode.Parse(response.Data.Value.ToStringUtf8())!;
        Assert.Equal(1, body["got"]!["n"]!.GetValue<int>());
        Assert.Equal("?a=1", body["query"]!.GetValue<string>());
        Assert.Equal("main", body["caller"]!.GetValue<string>());

        var broken = new InvokeServiceRequest { Id = "chat", Message = new InvokeRequest { Method = "broken", HttpExtension = new HTTPExtension { Verb = HTTPExtension.Types.Verb.Get } } };
        var error = await GrpcClients.ShouldFailAsync(StatusCode.NotFound, async () => await raw.InvokeServiceAsync(broken));
        Assert.Equal("Not Found", error.Status.Detail);
        var info = error.ErrorInfo();
        Assert.Equal("404", info.Metadata["http.code"]);
        Assert.Equal("""{"error":"boom"}""", info.Metadata["http.error_message"]);
    }
}
