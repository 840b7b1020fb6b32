using System.Collections.Concurrent;
using System.Net;
using System.Text;
using DaprChat.Dapr.Actors;
using DaprChat.Dapr.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.Dapr.Tests;

internal sealed record JoinRequest(string ParticipantId);

internal sealed record JoinResult(string ParticipantId, int Joins);

internal sealed record Tick(int Round);

/// <summary>What the test actors saw, shared through DI.</summary>
internal sealed class ActorProbe
{
    public int Activations;
    public int Deactivations;
    public int Concurrent;
    public int MaxConcurrent;
    public ConcurrentBag<CounterActor> Instances { get; } = [];
    public ConcurrentQueue<string> Events { get; } = new();
}

internal sealed class CounterActor(ActorHost host, ActorProbe probe) : Actor(host), IRemindable
{
    private int _joins;

    protected override Task OnActivateAsync()
    {
        Interlocked.Increment(ref probe.Activations);
        probe.Instances.Add(this);
        return Task.CompletedTask;
    }

    protected override Task OnDeactivateAsync()
    {
        Interlocked.Increment(ref probe.Deactivations);
        probe.Events.Enqueue($"deactivated {Id}");
        return Task.CompletedTask;
    }

    public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new JoinResult(request.ParticipantId, ++_joins));

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        await StateManager.SetStateAsync("count", 1, cancellationToken);
        await StateManager.SetStateAsync("last", new JoinRequest("p-1"), cancellationToken);
        await StateManager.RemoveStateAsync("old", cancellationToken);
    }

    public async Task FailAsync(CancellationToken cancellationToken)
    {
        await StateManager.SetStateAsync("count", 99, cancellationToken);
        throw new InvalidOperationException("session already ended");
    }

    public async Task SlowAsync(CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref probe.Concurrent);
        probe.MaxConcurrent = Math.Max(probe.MaxConcurrent, now);
        await Task.Delay(15, cancellationToken);
        Interlocked.Decrement(ref probe.Concurrent);
    }

    public Task OnTickAsync(Tick tick, CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"tick {tick.Round} on {Id}");
        return Task.CompletedTask;
    }

    public Task CallOtherAsync(CancellationToken cancellationToken) =>
        Host.DaprClient.InvokeActorMethodAsync(Host.ActorType, "other", "join", new JoinRequest("nested"), cancellationToken);

    public Task ReceiveReminderAsync(string reminderName, ReadOnlyMemory<byte> state, TimeSpan dueTime, TimeSpan period)
    {
        probe.Events.Enqueue($"reminder {reminderName} {Encoding.UTF8.GetString(state.Span)} {dueTime} {period}");
        return Task.CompletedTask;
    }
}

/// <summary>An actor with one method and no reminders.</summary>
internal sealed class PlainActor(ActorHost host) : Actor(host);

public sealed class ActorHostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(TestApp App, ActorProbe Probe, FakeSidecar Sidecar)> StartAsync(
        Action<IServiceCollection, FakeSidecar>? registerClient = null, IDictionary<string, string?>? configuration = null)
    {
        var probe = new ActorProbe();
        var sidecar = new FakeSidecar
        {
            // Actor state as daprd keeps it: "old" exists, everything else is missing (204).
            Responder = r => r.Method == "GET" && r.PathAndQuery.EndsWith("/state/old", StringComparison.Ordinal)
                ? FakeSidecar.Json(HttpStatusCode.OK, "1")
                : new HttpResponseMessage(HttpStatusCode.NoContent),
        };
        var app = await TestApp.StartAsync(builder =>
        {
            builder.Services.AddSingleton(probe);
            if (registerClient is null)
            {
                builder.Services.AddSingleton(sidecar.CreateClient());
            }
            else
            {
                registerClient(builder.Services, sidecar);
            }

            builder.Services.AddActors(options =>
            {
                options.RegisterActor<CounterActor>("Counter", methods => methods
                    .Map<JoinRequest, JoinResult>("join", (actor, request, ct) => actor.JoinAsync(request, ct))
                    .Map("write", (actor, ct) => actor.WriteAsync(ct))
                    .Map("fail", (actor, ct) => actor.FailAsync(ct))
                    .Map("slow", (actor, ct) => actor.SlowAsync(ct))
                    .Map("callOther", (actor, ct) => actor.CallOtherAsync(ct))
                    .Map<Tick>("onTick", (actor, tick, ct) => actor.OnTickAsync(tick, ct)));
                options.RegisterActor<CounterActor>("Sweeper", methods => methods.Map("slow", (actor, ct) => actor.SlowAsync(ct)),
                    type => type.ActorIdleTimeout = TimeSpan.FromMinutes(5));
                options.RegisterActor<PlainActor>("Plain", methods => methods.Map("noop", (_, _) => Task.CompletedTask));
                options.ActorIdleTimeout = TimeSpan.FromMinutes(30);
                options.ReentrancyConfig = new ActorReentrancyConfig { Enabled = true, MaxStackDepth = 8 };
            });
        }, app => app.MapActorsHandlers(), configuration);
        return (app, probe, sidecar);
    }

    [Fact]
    public async Task Dapr_config_reports_the_hosted_types_with_go_durations_and_per_type_overrides()
    {
        var (app, _, _) = await StartAsync();
        await using var _app = app;

        using var response = await app.Client.GetAsync("/dapr/config", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """{"entities":["Counter","Sweeper","Plain"],"actorIdleTimeout":"30m0s","drainOngoingCallTimeout":"1m0s","drainRebalancedActors":false,"reentrancy":{"enabled":true,"maxStackDepth":8},"entitiesConfig":[{"entities":["Sweeper"],"actorIdleTimeout":"5m0s"}]}""",
            await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Each_actor_id_gets_one_instance_activated_once_and_answers_exactly_200_with_the_json_result()
    {
        var (app, probe, _) = await StartAsync();
        await using var _app = app;

        using var first = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/join", """{"participantId":"p1"}""");
        using var second = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/join", """{"participantId":"p2"}""");
        using var other = await app.SendAsync(HttpMethod.Put, "/actors/Counter/b/method/join", """{"participantId":"p3"}""");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("""{"participantId":"p2","joins":2}""", await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal("""{"participantId":"p3","joins":1}""", await other.Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, probe.Activations);
        Assert.Equal(2, probe.Instances.Count);
    }

    [Fact]
    public async Task A_method_without_a_result_answers_200_not_204_because_daprd_fails_anything_else()
    {
        var (app, _, _) = await StartAsync();
        await using var _app = app;

        using var response = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/slow");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task State_changes_of_a_turn_are_saved_as_one_transaction_when_the_turn_ends()
    {
        // Through the DI registration this time: options from configuration, a fake sidecar as the primary handler.
        var (app, _, sidecar) = await StartAsync(
            (services, fake) => services.AddDaprClient().ConfigurePrimaryHttpMessageHandler(() => fake),
            new Dictionary<string, string?> { ["DAPR_HTTP_PORT"] = "3999", ["DAPR_API_TOKEN"] = "to-daprd" });
        await using var _app = app;

        using var response = await app.SendAsync(HttpMethod.Put, "/actors/Counter/s%201:x/method/write");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requests = sidecar.Requests;
        // RemoveStateAsync must know the key exists, so one read precedes the single write.
        Assert.Equal(("GET", "/v1.0/actors/Counter/s%201:x/state/old"), (requests[0].Method, requests[0].PathAndQuery));
        var transaction = Assert.Single(requests, r => r.Method == "POST");
        Assert.Equal("/v1.0/actors/Counter/s%201:x/state", transaction.PathAndQuery);
        Assert.Equal("to-daprd", transaction.Header("dapr-api-token"));
        Assert.Equal(
            """[{"operation":"upsert","request":{"key":"count","value":1}},{"operation":"upsert","request":{"key":"last","value":{"participantId":"p-1"}}},{"operation":"delete","request":{"key":"old"}}]""",
            transaction.Body);
        Assert.All(requests, r => Assert.Equal("http://127.0.0.1:3999", r.Origin));
    }

    [Fact]
    public async Task A_failing_method_answers_500_problem_json_and_its_pending_state_is_discarded()
    {
        var (app, _, sidecar) = await StartAsync();
        await using var _app = app;

        using var failed = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/fail");
        // A later turn that changes nothing must not flush what the failed turn left in the cache.
        using var next = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/slow");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("session already ended", await failed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Empty(sidecar.Requests);
    }

    [Theory]
    [InlineData("/actors/Counter/a/method/nope")]
    [InlineData("/actors/Unknown/a/method/join")]
    [InlineData("/actors/Plain/a/method/remind/r1")]
    public async Task An_unknown_type_method_or_reminder_receiver_answers_404(string path)
    {
        var (app, probe, _) = await StartAsync();
        await using var _app = app;

        using var response = await app.SendAsync(HttpMethod.Put, path, """{"data":null,"dueTime":"","period":""}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, probe.Activations);
    }

    [Theory]
    // Scheduler-backed reminders (daprd 1.15+ default) carry empty times.
    [InlineData("""{"data":{"attempt":2},"dueTime":"","period":""}""", """reminder retry {"attempt":2} -00:00:00.0010000 -00:00:00.0010000""")]
    // State-store reminders carry the times as registered.
    [InlineData("""{"data":"foo","dueTime":"0s","period":"1m0s"}""", "reminder retry \"foo\" 00:00:00 00:01:00")]
    [InlineData("""{"dueTime":"","period":""}""", "reminder retry  -00:00:00.0010000 -00:00:00.0010000")]
    public async Task A_reminder_callback_reaches_IRemindable_with_the_raw_json_data_and_parsed_times(string body, string expected)
    {
        var (app, probe, _) = await StartAsync();
        await using var _app = app;

        using var response = await app.SendAsync(HttpMethod.Put, "/actors/Counter/j1/method/remind/retry", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, Assert.Single(probe.Events));
    }

    [Fact]
    public async Task A_timer_callback_runs_the_method_named_by_its_callback_with_the_timer_data()
    {
        var (app, probe, _) = await StartAsync();
        await using var _app = app;

        using var response = await app.SendAsync(HttpMethod.Put, "/actors/Counter/s1/method/timer/presence",
            """{"data":{"round":3},"callback":"onTick","dueTime":"0s","period":"5s"}""");
        using var unknown = await app.SendAsync(HttpMethod.Put, "/actors/Counter/s1/method/timer/presence",
            """{"data":{"round":4},"callback":"missing","dueTime":"0s","period":"5s"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("tick 3 on s1", Assert.Single(probe.Events));
    }

    [Fact]
    public async Task Deactivation_runs_OnDeactivateAsync_answers_200_and_the_next_call_activates_a_new_instance()
    {
        var (app, probe, _) = await StartAsync();
        await using var _app = app;

        using var join = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/join", """{"participantId":"p"}""");
        using var deactivate = await app.SendAsync(HttpMethod.Delete, "/actors/Counter/a");
        using var again = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/join", """{"participantId":"p"}""");
        using var unknownId = await app.SendAsync(HttpMethod.Delete, "/actors/Counter/never-active");

        Assert.Equal(HttpStatusCode.OK, deactivate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknownId.StatusCode);
        Assert.Equal("deactivated a", Assert.Single(probe.Events));
        Assert.Equal(2, probe.Activations);
        Assert.Equal("""{"participantId":"p","joins":1}""", await again.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Calls_to_one_actor_run_one_turn_at_a_time()
    {
        var (app, probe, _) = await StartAsync();
        await using var _app = app;

        var calls = Enumerable.Range(0, 6).Select(_ => app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/slow")).ToList();
        var responses = await Task.WhenAll(calls);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, probe.MaxConcurrent);
        Assert.Equal(1, probe.Activations);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_reentrancy_id_of_a_turn_is_copied_onto_actor_calls_the_actor_makes()
    {
        var (app, _, sidecar) = await StartAsync();
        await using var _app = app;

        using var response = await app.SendAsync(HttpMethod.Put, "/actors/Counter/a/method/callOther", headers: ("Dapr-Reentrancy-Id", "chain-42"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var nested = Assert.Single(sidecar.Requests);
        Assert.Equal("/v1.0/actors/Counter/other/method/join", nested.PathAndQuery);
        Assert.Equal("chain-42", nested.Header("Dapr-Reentrancy-Id"));
    }
}
