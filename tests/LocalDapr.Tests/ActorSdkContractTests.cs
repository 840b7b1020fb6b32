using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using DaprChat.Testing;
using LocalDapr.Hosting;
using LocalDapr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LocalDapr.Tests;

public interface ICounterActor : IActor
{
    Task<int> AddAsync(int amount);

    Task FailAsync();

    Task ArmReminderAsync(string payload);
}

/// <summary>What the actor saw, for the test to look at.</summary>
public sealed class ActorJournal
{
    public ConcurrentQueue<(string Name, string State, TimeSpan DueTime, TimeSpan Period)> Reminders { get; } = new();
}

public sealed class CounterActor(ActorHost host, ActorJournal journal) : Actor(host), ICounterActor, IRemindable
{
    public async Task<int> AddAsync(int amount)
    {
        var count = await StateManager.GetOrAddStateAsync("count", 0) + amount;
        await StateManager.SetStateAsync("count", count);
        return count;
    }

    public Task FailAsync() => throw new InvalidOperationException("the counter refuses");

    public Task ArmReminderAsync(string payload) =>
        RegisterReminderAsync("tick", Encoding.UTF8.GetBytes(payload), TimeSpan.FromMilliseconds(200), TimeSpan.FromHours(1));

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        journal.Reminders.Enqueue((reminderName, Encoding.UTF8.GetString(state), dueTime, period));
        await UnregisterReminderAsync(reminderName);
    }
}

/// <summary>
/// The official Actors SDK (Dapr.Actors 1.19 proxies, an actor app on Dapr.Actors.AspNetCore) against the runtime:
/// what the SDK sends must be taken as daprd takes it (dapr-sdk-1.19.md §4): requests to "//v1.0/actors/…", remoting
/// headers and bodies passed through untouched with X-DaprErrorResponseHeader passed back, reminder callbacks the SDK parses.
/// </summary>
public sealed class ActorSdkContractTests
{
    private const string ApiToken = "actor-sdk-token";

    /// <summary>The runtime, one sidecar, and the actor app behind it; proxies reach the sidecar as the SDK's default endpoint would.</summary>
    private sealed class World(Runtime runtime, WebApplication app, ActorJournal journal, ActorProxyOptions proxy) : IAsyncDisposable
    {
        public Runtime Runtime { get; } = runtime;
        public ActorJournal Journal { get; } = journal;
        public ActorProxyOptions Proxy { get; } = proxy;
        public Sidecar Sidecar => Runtime.Cluster.Sidecars.Single();

        public ICounterActor Counter(string id) => ActorProxy.Create<ICounterActor>(new ActorId(id), nameof(CounterActor), Proxy);

        public async ValueTask DisposeAsync()
        {
            await Runtime.DisposeAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<World> StartAsync()
    {
        var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecarPort = FreePort.Next();
        var appPort = FreePort.Next();
        // A trailing slash, as the SDK's default endpoint has: its requests then go to "//v1.0/actors/…".
        var sidecarEndpoint = $"http://127.0.0.1:{sidecarPort}/";
        var journal = new ActorJournal();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        builder.Services.AddSingleton(journal);
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<CounterActor>();
            options.UseJsonSerialization = true;
            options.HttpEndpoint = sidecarEndpoint;
            options.DaprApiToken = ApiToken;
        });
        var app = builder.Build();
        app.MapActorsHandlers();
        await app.StartAsync();

        var sidecar = await runtime.Cluster.StartSidecarAsync(new SidecarOptions
        {
            AppId = "counter",
            AppPort = appPort,
            HttpPort = sidecarPort,
            ResourcesPaths = [runtime.ComponentsDir],
            ApiToken = ApiToken,
        });
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await sidecar.WaitUntilReadyAsync(ready.Token);
        return new World(runtime, app, journal, new ActorProxyOptions { HttpEndpoint = sidecarEndpoint, UseJsonSerialization = true, DaprApiToken = ApiToken });
    }

    [Fact]
    public async Task A_typed_proxy_call_is_remoting_passed_through_untouched_and_the_actor_keeps_its_state_in_the_runtime()
    {
        await using var world = await StartAsync();
        var counter = world.Counter("c1");

        Assert.Equal(2, await counter.AddAsync(2));
        Assert.Equal(5, await counter.AddAsync(3));

        // The SDK saved "count" through the sidecar's actor state API, which reads it back as stored.
        var sidecar = world.Sidecar;
        using var read = new HttpRequestMessage(HttpMethod.Get, sidecar.HttpEndpoint + "/v1.0/actors/CounterActor/c1/state/count") { Headers = { { "dapr-api-token", ApiToken } } };
        var state = await world.Runtime.Http.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.Equal("5", await state.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_actor_exception_comes_back_through_X_DaprErrorResponseHeader_as_ActorMethodInvocationException()
    {
        await using var world = await StartAsync();
        var counter = world.Counter("c2");

        var error = await Assert.ThrowsAsync<ActorMethodInvocationException>(() => counter.FailAsync());

        Assert.Contains("the counter refuses", error.ToString(), StringComparison.Ordinal);
        // The actor is still usable afterwards.
        Assert.Equal(1, await counter.AddAsync(1));
    }

    [Fact]
    public async Task A_non_remoting_proxy_sends_plain_json_and_reads_the_json_answer()
    {
        await using var world = await StartAsync();
        var counter = ActorProxy.Create(new ActorId("c3"), nameof(CounterActor), world.Proxy);

        Assert.Equal(4, await counter.InvokeMethodAsync<int, int>(nameof(ICounterActor.AddAsync), 4));
        Assert.Equal(10, await counter.InvokeMethodAsync<int, int>(nameof(ICounterActor.AddAsync), 6));
    }

    [Fact]
    public async Task A_request_to_a_double_slash_path_is_cleaned_as_daprd_does_before_routing()
    {
        await using var world = await StartAsync();
        var sidecar = world.Sidecar;

        using var call = new HttpRequestMessage(HttpMethod.Put, sidecar.HttpEndpoint + "//v1.0/actors/CounterActor/c5/method/AddAsync")
        {
            Headers = { { "dapr-api-token", ApiToken } },
            Content = new StringContent("7", Encoding.UTF8, "application/json"),
        };
        Assert.Equal("//v1.0/actors/CounterActor/c5/method/AddAsync", call.RequestUri!.AbsolutePath);
        var response = await world.Runtime.Http.SendAsync(call);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("7", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_reminder_registered_through_the_SDK_fires_into_IRemindable_with_its_state_in_a_shape_the_SDK_parses()
    {
        await using var world = await StartAsync();
        var counter = world.Counter("c4");

        await counter.ArmReminderAsync("wake up");

        await HttpExtensions.EventuallyAsync(() => !world.Journal.Reminders.IsEmpty, TimeSpan.FromSeconds(10), "the reminder should reach ReceiveReminderAsync");
        var (name, state, dueTime, period) = world.Journal.Reminders.Single();
        Assert.Equal("tick", name);
        Assert.Equal("wake up", state);
        // daprd 1.16's Scheduler sends empty dueTime and period; the SDK reads them as "not set" (-1 ms).
        Assert.Equal(TimeSpan.FromMilliseconds(-1), dueTime);
        Assert.Equal(TimeSpan.FromMilliseconds(-1), period);
        // The callback unregistered it: it does not fire again.
        await Task.Delay(500);
        Assert.Single(world.Journal.Reminders);
    }
}
