using System.Collections.Concurrent;
using Dapr;
using Dapr.Client;
using DaprChat.Testing;
using LocalDapr.Hosting;
using LocalDapr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>
/// An app that subscribes the way the services do, with the official Dapr.AspNetCore (<c>UseCloudEvents</c>,
/// <c>MapSubscribeHandler</c>, <c>WithTopic</c> with a dead-letter topic) and publishes with DaprClient over gRPC,
/// behind the local runtime with Redis Streams and both tokens set.
/// </summary>
public sealed class SdkSubscriberTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    public sealed record Ping(string Text);

    private sealed record Delivery(string Text, string AppToken, string CloudEventId);

    private sealed class App(WebApplication web, Sidecar sidecar, ConcurrentQueue<Delivery> deliveries, ConcurrentQueue<string> deadLetters) : IAsyncDisposable
    {
        public Sidecar Sidecar { get; } = sidecar;
        public ConcurrentQueue<Delivery> Deliveries { get; } = deliveries;
        public ConcurrentQueue<string> DeadLetters { get; } = deadLetters;

        public DaprClient Client() => new DaprClientBuilder().UseGrpcEndpoint(Sidecar.GrpcEndpoint).UseHttpEndpoint(Sidecar.HttpEndpoint)
            .UseDaprApiToken(Sidecar.Options.ApiToken).Build();

        public async ValueTask DisposeAsync()
        {
            await web.StopAsync();
            await web.DisposeAsync();
        }
    }

    private static async Task<App> StartAsync(Runtime runtime)
    {
        var appPort = FreePort.Next();
        var sidecar = await runtime.Cluster.StartSidecarAsync(new SidecarOptions
        {
            AppId = "subscriber", AppPort = appPort, HttpPort = 0, GrpcPort = 0, ResourcesPaths = [runtime.ComponentsDir],
            ApiToken = "sidecar-secret", AppApiToken = "app-secret",
        });
        var deliveries = new ConcurrentQueue<Delivery>();
        var deadLetters = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        var web = builder.Build();
        web.UseCloudEvents(new CloudEventsMiddlewareOptions { ForwardCloudEventPropertiesAsHeaders = true });
        web.MapSubscribeHandler();
        web.MapPost("/events/ping", (Ping ping, HttpContext context) =>
        {
            deliveries.Enqueue(new Delivery(ping.Text, context.Request.Headers["dapr-api-token"].ToString(), context.Request.Headers["Cloudevent.id"].ToString()));
            // "drop me" is refused for good: daprd moves it to the dead-letter topic.
            return Results.Ok(new { status = ping.Text == "drop me" ? "DROP" : "SUCCESS" });
        }).WithTopic(new TopicOptions { PubsubName = "events", Name = "ping", DeadLetterTopic = "subscriber.dead-letter" });
        web.MapPost("/events/dead", (HttpContext context) =>
        {
            deadLetters.Enqueue(context.Request.Headers["Cloudevent.id"].ToString());
            return Results.Ok();
        }).WithTopic("events", "subscriber.dead-letter");
        await web.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await sidecar.WaitUntilReadyAsync(timeout.Token);
        return new App(web, sidecar, deliveries, deadLetters);
    }

    [Fact]
    public async Task An_event_published_over_gRPC_reaches_the_SDKs_typed_handler_with_the_app_token_and_its_CloudEvent_id()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        await using var app = await StartAsync(runtime);
        using var client = app.Client();

        await client.PublishEventAsync("events", "ping", new Ping("hi"));

        await HttpExtensions.EventuallyAsync(() => app.Deliveries.Any(d => d.Text == "hi"), because: "the SDK's /dapr/subscribe lists the route and the runtime delivers to it");
        var delivery = app.Deliveries.Single(d => d.Text == "hi");
        Assert.Equal("app-secret", delivery.AppToken);
        Assert.True(Guid.TryParse(delivery.CloudEventId, out _), delivery.CloudEventId);
    }

    [Fact]
    public async Task An_event_the_handler_drops_lands_once_on_the_dead_letter_topic_the_SDK_subscription_names()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        await using var app = await StartAsync(runtime);
        using var client = app.Client();

        await client.PublishEventAsync("events", "ping", new Ping("drop me"));

        await HttpExtensions.EventuallyAsync(() => !app.DeadLetters.IsEmpty, because: "a DROP answer sends the event to the dead-letter topic");
        var dropped = app.Deliveries.Single(d => d.Text == "drop me");
        Assert.Equal(dropped.CloudEventId, Assert.Single(app.DeadLetters));
    }
}
