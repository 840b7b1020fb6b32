using System.Collections.Concurrent;
using DaprChat.Dapr;
using DaprChat.Dapr.Actors;
using DaprChat.Testing;
using LocalDapr.Hosting;
using LocalDapr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>An app built on DaprChat.Dapr, as the services are, running behind the local runtime with Redis.</summary>
public sealed class DaprLibraryAgainstRuntimeTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    public sealed record Ping(string Text);

    public sealed record Added(int Total);

    /// <summary>A counter actor: state through the state manager, a reminder that bumps the count.</summary>
    public sealed class CounterActor(ActorHost host) : Actor(host), IRemindable
    {
        public async Task<Added> AddAsync(int amount, CancellationToken cancellationToken)
        {
            var total = await StateManager.GetOrAddStateAsync("count", 0, cancellationToken) + amount;
            await StateManager.SetStateAsync("count", total, cancellationToken);
            return new Added(total);
        }

        public Task ArmAsync(CancellationToken cancellationToken) =>
            RegisterReminderAsync("bump", new { by = 10 }, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);

        public async Task ReceiveReminderAsync(string reminderName, ReadOnlyMemory<byte> state, TimeSpan dueTime, TimeSpan period)
        {
            var by = System.Text.Json.JsonDocument.Parse(state).RootElement.GetProperty("by").GetInt32();
            await AddAsync(by, CancellationToken.None);
        }
    }

    private sealed class App(WebApplication web, Sidecar sidecar, ConcurrentQueue<Ping> pings) : IAsyncDisposable
    {
        public Sidecar Sidecar { get; } = sidecar;
        public ConcurrentQueue<Ping> Pings { get; } = pings;
        public DaprClient Dapr => web.Services.GetRequiredService<DaprClient>();

        public async ValueTask DisposeAsync()
        {
            await web.StopAsync();
            await web.DisposeAsync();
        }
    }

    private static async Task<App> StartAsync(Runtime runtime, string? appApiToken = null)
    {
        var appPort = FreePort.Next();
        var sidecar = await runtime.Cluster.StartSidecarAsync(new SidecarOptions
        {
            AppId = "counter", AppPort = appPort, HttpPort = 0, ResourcesPaths = [runtime.ComponentsDir], AppApiToken = appApiToken,
        });
        var pings = new ConcurrentQueue<Ping>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        if (appApiToken is not null)
        {
            builder.Configuration["APP_API_TOKEN"] = appApiToken; // what daprd's APP_API_TOKEN is to the app
        }

        builder.Services.AddDaprClient(o => o.HttpEndpoint = new Uri(sidecar.HttpEndpoint));
        builder.Services.AddActors(o => o.RegisterActor<CounterActor>("Counter", m => m
            .Map<int, Added>("add", (actor, amount, ct) => actor.AddAsync(amount, ct))
            .Map("arm", (actor, ct) => actor.ArmAsync(ct))));
        var web = builder.Build();
        web.UseCloudEvents();
        web.MapSubscribeHandler();
        // This project also references the official Dapr.Actors.AspNetCore (for the SDK contract tests), which has its own MapActorsHandlers.
        DaprChat.Dapr.Actors.ActorsEndpointRouteBuilderExtensions.MapActorsHandlers(web);
        web.MapPost("/events/ping", (Ping ping) =>
        {
            pings.Enqueue(ping);
            return TopicResults.Success();
        }).WithTopic("events", "ping");
        web.MapGet("/internal/echo", () => "echo").RequireDaprSidecar();
        await web.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await sidecar.WaitUntilReadyAsync(timeout.Token);
        return new App(web, sidecar, pings);
    }

    [Fact]
    public async Task Actor_calls_keep_state_across_turns_and_a_reminder_updates_it()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        await using var app = await StartAsync(runtime);

        Assert.Equal(2, (await app.Dapr.InvokeActorMethodAsync<int, Added>("Counter", "c1", "add", 2)).Total);
        Assert.Equal(5, (await app.Dapr.InvokeActorMethodAsync<int, Added>("Counter", "c1", "add", 3)).Total);
        Assert.Equal(1, (await app.Dapr.InvokeActorMethodAsync<int, Added>("Counter", "c2", "add", 1)).Total);
        await app.Dapr.InvokeActorMethodAsync("Counter", "c1", "arm");

        await HttpExtensions.EventuallyAsync(async () => (await app.Dapr.GetActorStateAsync("Counter", "c1", "count")) is { } state && System.Text.Encoding.UTF8.GetString(state.Data.Span) == "15");
    }

    [Fact]
    public async Task State_etags_transactions_and_ttl_work_through_the_library()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        await using var app = await StartAsync(runtime);

        await app.Dapr.SaveStateAsync("chatstore", "session", new Ping("hello"), metadata: StateMetadata.Ttl(TimeSpan.FromHours(24)));
        var (value, etag) = await app.Dapr.GetStateAndETagAsync<Ping>("chatstore", "session");
        Assert.Equal("hello", value!.Text);
        Assert.True(await app.Dapr.TrySaveStateAsync("chatstore", "session", new Ping("second"), etag));
        Assert.False(await app.Dapr.TrySaveStateAsync("chatstore", "session", new Ping("stale"), etag));
        await app.Dapr.ExecuteStateTransactionAsync("chatstore", [StateTransactionRequest.Upsert("a", 1), StateTransactionRequest.Delete("session")]);
        Assert.Null(await app.Dapr.GetStateAsync<Ping>("chatstore", "session"));
        Assert.Equal(1, await app.Dapr.GetStateAsync<int>("chatstore", "a"));

        var error = await Assert.ThrowsAsync<DaprApiException>(() => app.Dapr.GetStateAsync<int>("nostore", "a"));
        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", error.ErrorCode);
    }

    [Fact]
    public async Task A_published_event_reaches_the_typed_handler_and_sidecar_only_routes_accept_the_sidecars_token()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        await using var app = await StartAsync(runtime, appApiToken: "app-secret");

        await app.Dapr.PublishEventAsync("events", "ping", new Ping("hi"));
        await HttpExtensions.EventuallyAsync(() => app.Pings.Any(p => p.Text == "hi"), because: "the subscription is listed at /dapr/subscribe and delivered with APP_API_TOKEN");

        using var invoke = app.Dapr.CreateInvokeMethodRequest(HttpMethod.Get, "counter", "internal/echo");
        using var response = await app.Dapr.InvokeMethodWithResponseAsync(invoke);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

        using var direct = new HttpClient();
        var bypass = await direct.GetAsync($"http://127.0.0.1:{app.Sidecar.Options.AppPort}/internal/echo");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, bypass.StatusCode);
    }
}
