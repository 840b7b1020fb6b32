using System.Diagnostics;
using System.Globalization;

namespace LocalDapr.Redis.Tests;

public sealed class ReconnectTests : RedisTestBase
{
    [Fact]
    public async Task Acknowledged_writes_survive_a_server_restart_and_the_same_client_keeps_working()
    {
        for (var i = 0; i < 100; i++)
        {
            await Client.ExecuteAsync("SET", $"key:{i}", $"value {i}");
        }

        await Server.RestartAsync(Ct);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"value {i}", (await Client.ExecuteAsync("GET", $"key:{i}")).AsString());
        }

        Assert.Equal(1, (await Client.ExecuteAsync("INCR", "after-restart")).AsLong());
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_acknowledged_increment_across_a_restart()
    {
        const int writers = 8;
        const long range = 1_000_000_000; // each writer counts in its own range, so a foreign reply is detectable
        var acknowledged = new long[writers];
        var ambiguous = new long[writers];
        long acknowledgedAfterRestart = 0;
        var restarted = false;
        for (var w = 0; w < writers; w++)
        {
            acknowledged[w] = w * range;
            await Client.ExecuteAsync("SET", Key(w), acknowledged[w]);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var loops = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var value = (await Client.ExecuteAsync("INCR", Key(w))).AsLong();
                    Assert.InRange(value, acknowledged[w] + 1, (w + 1) * range - 1);
                    acknowledged[w] = value;
                    if (Volatile.Read(ref restarted))
                    {
                        Interlocked.Increment(ref acknowledgedAfterRestart);
                    }
                }
                catch (RedisConnectionException)
                {
                    ambiguous[w]++; // may or may not have been applied
                }
                catch (RedisServerException ex) when (ex.Prefix == "LOADING")
                {
                    // Rejected while Redis replays its AOF: certainly not applied.
                }
            }
        }, Ct)).ToArray();

        await Task.Delay(200, Ct);
        await Server.RestartAsync(Ct);
        Volatile.Write(ref restarted, true);
        await WaitUntilAsync(() => Task.FromResult(Interlocked.Read(ref acknowledgedAfterRestart) > writers * 100), "writers make progress after the restart");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        for (var w = 0; w < writers; w++)
        {
            var stored = (await Client.ExecuteAsync("GET", Key(w))).AsLong();
            Assert.InRange(stored, acknowledged[w], acknowledged[w] + ambiguous[w]);
        }

        static string Key(int writer) => "counter:" + writer.ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task In_flight_commands_fail_promptly_when_the_socket_dies()
    {
        var admin = NewClient();
        await Client.ExecuteAsync("SET", "k", "v");
        var connectionId = (await Client.ExecuteAsync("CLIENT", "ID")).AsLong();
        var blocked = Client.ExecuteAsync("BLPOP", "empty", 3);
        var queuedBehind = Client.ExecuteAsync("GET", "k");
        await WaitUntilAsync(async () => await BlockedClientsAsync(admin) == 1, "BLPOP is blocked on the server");

        await admin.ExecuteAsync("CLIENT", "KILL", "ID", connectionId);

        await FailsWithinAsync<RedisConnectionException>(blocked, TimeSpan.FromSeconds(1));
        await FailsWithinAsync<RedisConnectionException>(queuedBehind, TimeSpan.FromSeconds(1));
        Assert.Equal("v", (await Client.ExecuteAsync("GET", "k")).AsString());
        Assert.NotEqual(connectionId, (await Client.ExecuteAsync("CLIENT", "ID")).AsLong());
    }

    [Fact]
    public async Task Commands_fail_within_the_connect_timeout_while_the_server_is_down_and_work_again_once_it_is_back()
    {
        var client = NewClient(o => o with { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        await client.ExecuteAsync("SET", "k", "v");
        await Server.StopAsync();
        await WaitUntilAsync(() => Task.FromResult(!client.Shared.IsConnected), "the client notices the closed socket");

        var stopwatch = Stopwatch.StartNew();
        var error = await FailsWithinAsync<RedisConnectionException>(client.ExecuteAsync("GET", "k"), TimeSpan.FromSeconds(2));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(100), $"Gave up after {stopwatch.Elapsed} without retrying.");
        Assert.Contains(Server.Address, error.Message, StringComparison.Ordinal);

#pragma warning disable xUnit1051 // the instance StartAsync() has no token; the analyzer sees the static overload
        await Server.StartAsync();
#pragma warning restore xUnit1051
        Assert.Equal("v", (await client.ExecuteAsync("GET", "k")).AsString());
    }

    [Fact]
    public async Task A_command_sent_while_the_server_is_down_waits_with_backoff_until_it_is_back()
    {
        await Client.ExecuteAsync("SET", "k", "v");
        await Server.StopAsync();
        await WaitUntilAsync(() => Task.FromResult(!Client.Shared.IsConnected), "the client notices the closed socket");

        var pending = Client.ExecuteAsync("GET", "k");
        await Task.Delay(300, Ct);
        Assert.False(pending.IsCompleted);
#pragma warning disable xUnit1051 // the instance StartAsync() has no token; the analyzer sees the static overload
        await Server.StartAsync();
#pragma warning restore xUnit1051

        Assert.Equal("v", (await pending).AsString());
    }
}
