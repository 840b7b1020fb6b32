using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using LocalDapr.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>Actors as daprd 1.16 runs them: placement, turn-based calls, the 200-only rule, state, timers, reminders.</summary>
public sealed class ActorTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const string Config = """{"entities":["ChatSession"],"actorIdleTimeout":"1h"}""";

    /// <summary>An actor app whose method "work" takes 20 ms and records how many turns overlap, per actor id and in all.</summary>
    private sealed class Recorder
    {
        private int _running;
        private readonly ConcurrentDictionary<string, int> _runningPerId = new();

        public int MaxOverall;
        public int MaxPerId;

        public void Install(TestApp app)
        {
            app.OnJson("GET /dapr/config", Config);
            app.On("PUT /actors/ChatSession/*", async (context, request) =>
            {
                var id = request.Path.Split('/')[3];
                var overall = Interlocked.Increment(ref _running);
                var perId = _runningPerId.AddOrUpdate(id, 1, (_, v) => v + 1);
                InterlockedMax(ref MaxOverall, overall);
                InterlockedMax(ref MaxPerId, perId);
                await Task.Delay(20);
                _runningPerId.AddOrUpdate(id, 0, (_, v) => v - 1);
                Interlocked.Decrement(ref _running);
                context.Response.StatusCode = 200;
                await context.Response.WriteAsync("\"done\"");
            });
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }

    [Fact]
    public async Task Fifty_concurrent_calls_to_one_actor_run_one_at_a_time_while_different_ids_run_in_parallel()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sameId = new Recorder();
        var (_, _) = await runtime.AddAppAsync("chat", sameId.Install);
        var main = await runtime.AddSidecarAsync("main", null);

        var calls = Enumerable.Range(0, 50).Select(_ => runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0/actors/ChatSession/s1/method/work", "{}"));
        var responses = await Task.WhenAll(calls);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, sameId.MaxPerId);
        Assert.Equal(1, sameId.MaxOverall);

        var spread = Enumerable.Range(0, 20).Select(i => runtime.Http.PostJsonAsync(main.HttpEndpoint + $"/v1.0/actors/ChatSession/s-{i}/method/work", "{}"));
        await Task.WhenAll(spread);
        Assert.Equal(1, sameId.MaxPerId);
        Assert.True(sameId.MaxOverall > 1, "calls to different actor ids should overlap");
    }

    [Fact]
    public async Task The_app_always_gets_PUT_and_a_non_200_answer_becomes_a_500_actor_error()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (chat, _) = await runtime.AddAppAsync("chat", app =>
        {
            app.OnJson("GET /dapr/config", Config);
            app.OnJson("PUT /actors/ChatSession/a/method/ok", """{"v":1}""");
            app.On("PUT /actors/ChatSession/a/method/created", (context, _) => { context.Response.StatusCode = 201; return Task.CompletedTask; });
            app.OnJson("PUT /actors/ChatSession/a/method/broken", "custom error", 500);
        });
        var main = await runtime.AddSidecarAsync("main", null);
        var url = main.HttpEndpoint + "/v1.0/actors/ChatSession/a/method/";

        var ok = await runtime.Http.GetAsync(url + "ok");
        var created = await runtime.Http.PostJsonAsync(url + "created", "{}");
        var broken = await runtime.Http.PostJsonAsync(url + "broken", "{}");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("""{"v":1}""", await ok.Content.ReadAsStringAsync());
        Assert.Equal("PUT", chat.Received.Single(r => r.Path.EndsWith("/ok", StringComparison.Ordinal)).Method);
        await created.ShouldBeDaprErrorAsync(500, "ERR_ACTOR_INVOKE_METHOD");
        var error = await broken.ShouldBeDaprErrorAsync(500, "ERR_ACTOR_INVOKE_METHOD");
        Assert.Equal("error invoke actor method: error from actor service: (500) custom error", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Actor_state_is_written_only_by_an_active_actor_and_read_back_raw()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        string? sidecarUrl = null;
        var (_, chat) = await runtime.AddAppAsync("chat", app =>
        {
            app.OnJson("GET /dapr/config", Config);
            app.On("PUT /actors/ChatSession/s1/method/save", async (context, _) =>
            {
                // Inside a turn, as an actor would: write through the sidecar.
                using var http = new HttpClient();
                var write = await http.PostJsonAsync(sidecarUrl + "/v1.0/actors/ChatSession/s1/state",
                    """[{"operation":"upsert","request":{"key":"meta","value":{"seq":3}}},{"operation":"delete","request":{"key":"none"}}]""");
                context.Response.StatusCode = write.StatusCode == HttpStatusCode.NoContent ? 200 : 500;
            });
        });
        sidecarUrl = chat.HttpEndpoint;

        var outside = await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/s2/state", """[{"operation":"upsert","request":{"key":"k","value":1}}]""");
        var inside = await runtime.Http.PutAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/s1/method/save", null);
        var read = await runtime.Http.GetAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/s1/state/meta");
        var missing = await runtime.Http.GetAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/s1/state/none");

        await outside.ShouldBeDaprErrorAsync(400, "ERR_ACTOR_INSTANCE_MISSING");
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal("""{"seq":3}""", await read.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, missing.StatusCode);
    }

    [Fact]
    public async Task A_timer_fires_through_the_actor_lock_with_its_callback_and_data()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (app, chat) = await runtime.AddAppAsync("chat", a =>
        {
            a.OnJson("GET /dapr/config", Config);
            a.OnJson("PUT /actors/ChatSession/*", "{}");
        });

        var create = await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/t1/timers/tick",
            """{"dueTime":"0s","period":"100ms","callback":"onTick","data":{"n":1}}""");

        Assert.Equal(HttpStatusCode.NoContent, create.StatusCode);
        await HttpExtensions.EventuallyAsync(() => app.ReceivedOn("PUT", "/actors/ChatSession/t1/method/timer/tick").Count() >= 3);
        var body = JsonNode.Parse(app.ReceivedOn("PUT", "/actors/ChatSession/t1/method/timer/tick").First().Body)!;
        Assert.Equal("onTick", body["callback"]!.GetValue<string>());
        Assert.Equal(1, body["data"]!["n"]!.GetValue<int>());

        await runtime.Http.DeleteAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/t1/timers/tick");
        await Task.Delay(150);
        var count = app.ReceivedOn("PUT", "/actors/ChatSession/t1/method/timer/tick").Count();
        await Task.Delay(400);
        Assert.Equal(count, app.ReceivedOn("PUT", "/actors/ChatSession/t1/method/timer/tick").Count());
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_reminder_fires_with_its_data_and_empty_due_time_and_period_like_the_1_16_scheduler(Profile profile)
    {
        await using var runtime = await Runtime.StartAsync(profile, profile == Profile.Redis ? redis.Server : null);
        var (app, chat) = await runtime.AddAppAsync("chat", a =>
        {
            a.OnJson("GET /dapr/config", Config);
            a.OnJson("PUT /actors/ChatSession/*", "{}");
        });

        var create = await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/r1/reminders/expire", """{"dueTime":"200ms","period":"R2/PT0.2S","data":"sess"}""");
        var get = await (await runtime.Http.GetAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/r1/reminders/expire")).JsonAsync();

        Assert.Equal(HttpStatusCode.NoContent, create.StatusCode);
        Assert.Equal("r1", get["actorID"]!.GetValue<string>());
        await HttpExtensions.EventuallyAsync(() => app.ReceivedOn("PUT", "/actors/ChatSession/r1/method/remind/expire").Count() == 2);
        Assert.Equal("""{"data":"sess","dueTime":"","period":""}""", app.ReceivedOn("PUT", "/actors/ChatSession/r1/method/remind/expire").First().BodyText);
        await Task.Delay(500);
        Assert.Equal(2, app.ReceivedOn("PUT", "/actors/ChatSession/r1/method/remind/expire").Count());
    }

    [Fact]
    public async Task A_reminder_registered_before_a_runtime_restart_fires_after_it()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        var (before, chat) = await runtime.AddAppAsync("chat", a =>
        {
            a.OnJson("GET /dapr/config", Config);
            a.OnJson("PUT /actors/ChatSession/*", "{}");
        });
        var create = await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/durable/reminders/summary", """{"dueTime":"2s","data":{"job":"j1"}}""");
        Assert.Equal(HttpStatusCode.NoContent, create.StatusCode);

        await runtime.RestartClusterAsync();
        var (after, _) = await runtime.AddAppAsync("chat", a =>
        {
            a.OnJson("GET /dapr/config", Config);
            a.OnJson("PUT /actors/ChatSession/*", "{}");
        });

        await HttpExtensions.EventuallyAsync(() => after.ReceivedOn("PUT", "/actors/ChatSession/durable/method/remind/summary").Any(), TimeSpan.FromSeconds(10));
        Assert.Empty(before.ReceivedOn("PUT", "/actors/ChatSession/durable/method/remind/summary"));
        Assert.Equal("""{"data":{"job":"j1"},"dueTime":"","period":""}""", after.ReceivedOn("PUT", "/actors/ChatSession/durable/method/remind/summary").Single().BodyText);
    }

    [Fact]
    public async Task A_failing_reminder_is_tried_four_times_in_all()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (app, chat) = await runtime.AddAppAsync("chat", a =>
        {
            a.OnJson("GET /dapr/config", Config);
            a.OnJson("PUT /actors/ChatSession/*", "no", 500);
        });

        await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/f/reminders/once", """{"dueTime":"0s"}""");

        await HttpExtensions.EventuallyAsync(() => app.ReceivedOn("PUT", "/actors/ChatSession/f/method/remind/once").Count() == 4, TimeSpan.FromSeconds(8));
        await Task.Delay(1500);
        Assert.Equal(4, app.ReceivedOn("PUT", "/actors/ChatSession/f/method/remind/once").Count());
    }

    [Fact]
    public async Task Reminders_are_refused_on_a_sidecar_that_does_not_host_the_type_and_bad_periods_are_refused()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (_, chat) = await runtime.AddAppAsync("chat", a => a.OnJson("GET /dapr/config", Config));
        var main = await runtime.AddSidecarAsync("main", null);

        var foreign = await runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0/actors/ChatSession/x/reminders/r", """{"dueTime":"1s"}""");
        var days = await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/x/reminders/r", """{"dueTime":"1s","period":"P1D"}""");

        await foreign.ShouldBeDaprErrorAsync(403, "ERR_ACTOR_REMINDER_NON_HOSTED");
        await days.ShouldBeDaprErrorAsync(500, "ERR_ACTOR_REMINDER_CREATE");
    }

    [Fact]
    public async Task An_idle_actor_is_deactivated_with_a_DELETE_and_reactivated_by_its_next_call()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (app, chat) = await runtime.AddAppAsync("chat", a =>
        {
            a.OnJson("GET /dapr/config", """{"entities":["ChatSession"],"actorIdleTimeout":"300ms"}""");
            a.OnJson("PUT /actors/ChatSession/*", "{}");
            a.OnJson("DELETE /actors/ChatSession/*", "");
        });

        await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/idle/method/ping", "{}");

        await HttpExtensions.EventuallyAsync(() => app.ReceivedOn("DELETE", "/actors/ChatSession/idle").Any(), TimeSpan.FromSeconds(5));
        var transaction = await runtime.Http.PostJsonAsync(chat.HttpEndpoint + "/v1.0/actors/ChatSession/idle/state", """[{"operation":"upsert","request":{"key":"k","value":1}}]""");
        await transaction.ShouldBeDaprErrorAsync(400, "ERR_ACTOR_INSTANCE_MISSING");
    }

    [Fact]
    public async Task Each_actor_id_is_placed_on_one_of_two_hosting_instances_and_stays_there()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (first, _) = await runtime.AddAppAsync("chat", a => { a.OnJson("GET /dapr/config", Config); a.OnJson("PUT /actors/ChatSession/*", "{}"); });
        var (second, _) = await runtime.AddAppAsync("chat", a => { a.OnJson("GET /dapr/config", Config); a.OnJson("PUT /actors/ChatSession/*", "{}"); });
        var main = await runtime.AddSidecarAsync("main", null);

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                await runtime.Http.PostJsonAsync(main.HttpEndpoint + $"/v1.0/actors/ChatSession/p{i}/method/m", "{}");
            }
        }

        var firstIds = first.ReceivedOn("PUT", "/actors/").Select(r => r.Path.Split('/')[3]).ToHashSet();
        var secondIds = second.ReceivedOn("PUT", "/actors/").Select(r => r.Path.Split('/')[3]).ToHashSet();
        Assert.Empty(firstIds.Intersect(secondIds));
        Assert.Equal(20, firstIds.Count + secondIds.Count);
        Assert.NotEmpty(firstIds);
        Assert.NotEmpty(secondIds);
    }

    [Fact]
    public async Task A_call_to_a_type_hosted_nowhere_fails_after_daprds_placement_retries()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var main = await runtime.AddSidecarAsync("main", null);

        var response = await runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0/actors/Nobody/x/method/m", "{}");

        var error = await response.ShouldBeDaprErrorAsync(500, "ERR_ACTOR_INVOKE_METHOD");
        Assert.Contains("did not find address for actor", error["message"]!.GetValue<string>());
    }
}
