using System.Net;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using LocalDapr.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>
/// The runtime's Redis stores on StackExchange.Redis, seen from Redis itself: one pipelined connection for every
/// command, the ETag check and the write as one Lua step, blocking stream reads on connections of their own, and no
/// acknowledged write lost when Redis restarts under load.
/// </summary>
public sealed class RedisStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static async Task<List<string>> RuntimeClientsAsync(IDatabase db) =>
        ((string?)await db.ExecuteAsync("CLIENT", "LIST") ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains(" name=local-dapr ", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public async Task Hundreds_of_concurrent_writes_and_a_bulk_read_share_one_pipelined_connection()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        var sidecar = await runtime.AddSidecarAsync("main", null);
        using var dapr = GrpcClients.Sdk(sidecar);
        await using var connection = await redis.Server.ConnectAsync();
        var db = connection.GetDatabase();

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => dapr.SaveStateAsync("chatstore", $"p{i}", i)));
        var keys = Enumerable.Range(0, 300).Select(i => $"p{i}").ToList();
        var bulk = await dapr.GetBulkStateAsync("chatstore", keys, parallelism: null);

        Assert.Equal(keys, bulk.Select(b => b.Key));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), bulk.Select(b => b.Value));
        // One multiplexer: its command connection (and at most its idle pub/sub one), however many callers.
        var clients = await RuntimeClientsAsync(db);
        Assert.InRange(clients.Count, 1, 2);
    }

    [Fact]
    public async Task Concurrent_first_writes_of_one_key_let_exactly_one_win_and_scripts_survive_a_flushed_script_cache()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        var sidecar = await runtime.AddSidecarAsync("main", null);
        using var dapr = GrpcClients.Sdk(sidecar);
        await using var connection = await redis.Server.ConnectAsync();
        var db = connection.GetDatabase();
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                await dapr.SaveStateAsync("chatstore", "contended", i, firstWrite);
                return true;
            }
            catch (DaprException ex) when (ex.InnerException is RpcException { StatusCode: StatusCode.Aborted })
            {
                return false;
            }
        }));

        Assert.Single(attempts, won => won);
        Assert.Equal("1", (string?)await db.HashGetAsync("main||contended", "version"));

        // EVALSHA finds no script after SCRIPT FLUSH; the write still goes through (EVAL again).
        await db.ExecuteAsync("SCRIPT", "FLUSH");
        var (_, etag) = await dapr.GetStateAndETagAsync<int>("chatstore", "contended");
        Assert.True(await dapr.TrySaveStateAsync("chatstore", "contended", 99, etag));
        Assert.Equal(99, await dapr.GetStateAsync<int>("chatstore", "contended"));
    }

    [Fact]
    public async Task A_subscriptions_blocking_stream_read_has_a_connection_of_its_own_and_delivers_while_state_writes_go_on()
    {
        // contrib's defaults (processingTimeout 60 s): a delivery within seconds comes from the read, never from redelivery.
        var plain = $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: plain
            spec:
              type: pubsub.redis
              version: v1
              metadata:
                - name: redisHost
                  value: "{redis.Server.Address}"
            """;
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server, extraYaml: plain);
        var (worker, _) = await runtime.AddAppAsync("worker", app => app
            .OnJson("GET /dapr/subscribe", """[{"pubsubname":"plain","topic":"orders","route":"/orders"}]""")
            .OnJson("POST /orders", "{}"));
        var sidecar = runtime.Cluster.Sidecars.Single();
        using var dapr = GrpcClients.Sdk(sidecar);
        await using var connection = await redis.Server.ConnectAsync();
        var db = connection.GetDatabase();

        await HttpExtensions.EventuallyAsync(async () => (await RuntimeClientsAsync(db)).Any(c => c.Contains("cmd=xreadgroup", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "a connection should sit in XREADGROUP BLOCK");
        for (var i = 0; i < 50; i++)
        {
            await dapr.SaveStateAsync("chatstore", $"w{i}", i);
        }

        await dapr.PublishEventAsync("plain", "orders", new { n = 1 });
        await HttpExtensions.EventuallyAsync(() => worker.ReceivedOn("POST", "/orders").Any(), TimeSpan.FromSeconds(10));
        Assert.Equal(1, (long)await db.ExecuteAsync("EXISTS", "worker||w49"));
        // Delivered and acknowledged: nothing left pending in the group (stream layout as contrib's: stream = topic, group = consumer id).
        await HttpExtensions.EventuallyAsync(async () => (long)((RedisResult[])(await db.ExecuteAsync("XPENDING", "orders", "worker"))!)[0] == 0, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Concurrent_writers_through_the_runtime_lose_no_acknowledged_write_across_a_redis_restart_and_delivery_resumes()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Redis, redis.Server);
        var (worker, _) = await runtime.AddAppAsync("worker", app => app
            .OnJson("GET /dapr/subscribe", """[{"pubsubname":"events","topic":"orders","route":"/orders"}]""")
            .OnJson("POST /orders", "{}"));
        var sidecar = runtime.Cluster.Sidecars.Single();
        using var dapr = GrpcClients.Sdk(sidecar);
        const int writers = 4;
        var acknowledged = new int[writers];
        var failed = new int[writers];
        var afterRestart = 0;
        var restarted = false;
        using var stop = new CancellationTokenSource();

        var loops = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    await dapr.SaveStateAsync("chatstore", $"writer{w}", n);
                    acknowledged[w] = n;
                    if (Volatile.Read(ref restarted))
                    {
                        Interlocked.Increment(ref afterRestart);
                    }
                }
                catch (DaprException)
                {
                    // Failed while Redis was away: may or may not have been applied.
                    failed[w]++;
                }
            }
        })).ToArray();

        await Task.Delay(300);
        await redis.Server.RestartAsync();
        Volatile.Write(ref restarted, true);
        await HttpExtensions.EventuallyAsync(() => Volatile.Read(ref afterRestart) > writers * 20, TimeSpan.FromSeconds(20), "writers should make progress after the restart");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        for (var w = 0; w < writers; w++)
        {
            var stored = await dapr.GetStateAsync<int>("chatstore", $"writer{w}");
            Assert.InRange(stored, acknowledged[w], acknowledged[w] + failed[w]);
        }

        await dapr.PublishEventAsync("events", "orders", new { after = "restart" });
        await HttpExtensions.EventuallyAsync(() => worker.ReceivedOn("POST", "/orders").Any(), TimeSpan.FromSeconds(15), "the subscription should reconnect and deliver");
        Assert.Equal(HttpStatusCode.OK, (await runtime.Http.GetAsync(sidecar.HttpEndpoint + "/v1.0/state/chatstore/writer0")).StatusCode);
    }
}
