using System.Diagnostics;

namespace LocalDapr.Redis.Tests;

public sealed class StreamTests : RedisTestBase
{
    private static readonly TimeSpan ShortCommandTimeout = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_blocking_group_read_on_a_dedicated_connection_does_not_stall_the_shared_connection()
    {
        var client = NewClient(o => o with { CommandTimeout = ShortCommandTimeout });
        Assert.Equal("OK", (await client.ExecuteAsync("XGROUP", "CREATE", "orders", "workers", "$", "MKSTREAM")).AsString());
        var duplicate = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteAsync("XGROUP", "CREATE", "orders", "workers", "$"));
        Assert.Equal("BUSYGROUP", duplicate.Prefix);
        await using var consumer = client.OpenDedicated();

        var read = consumer.ExecuteAsync(["XREADGROUP", "GROUP", "workers", "c1", "COUNT", 10, "BLOCK", 5000, "STREAMS", "orders", ">"], Ct);
        await WaitUntilAsync(async () => await BlockedClientsAsync(client) == 1, "XREADGROUP is blocked on the server");

        var stopwatch = Stopwatch.StartNew();
        for (var i = 1; i <= 100; i++)
        {
            Assert.Equal(i, (await client.ExecuteAsync("INCR", "other-work")).AsLong());
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"The shared connection took {stopwatch.Elapsed} for 100 commands.");
        await Task.Delay(ShortCommandTimeout * 2, Ct); // longer than CommandTimeout: the blocking read must not time out
        Assert.False(read.IsCompleted);

        var id = (await client.ExecuteAsync("XADD", "orders", "*", "order", "42")).AsString()!;
        var streams = (await read).AsArray()!;

        var stream = streams.Single().AsArray()!;
        Assert.Equal("orders", stream[0].AsString());
        var entry = stream[1].AsArray()!.Single().AsArray()!;
        Assert.Equal(id, entry[0].AsString());
        Assert.Equal(["order", "42"], entry[1].AsArray()!.Select(f => f.AsString()));
        Assert.Equal(1, (await client.ExecuteAsync("XACK", "orders", "workers", id)).AsLong());
        Assert.Equal(0, (await client.ExecuteAsync("XPENDING", "orders", "workers")).AsArray()![0].AsLong());
    }

    [Fact]
    public async Task A_blocking_read_with_nothing_to_read_returns_nil_after_its_block_time()
    {
        var client = NewClient(o => o with { CommandTimeout = ShortCommandTimeout });
        await client.ExecuteAsync("XGROUP", "CREATE", "orders", "workers", "$", "MKSTREAM");
        await using var consumer = client.OpenDedicated();

        var reply = await consumer.ExecuteAsync(["XREADGROUP", "GROUP", "workers", "c1", "BLOCK", 500, "STREAMS", "orders", ">"], Ct);

        Assert.True(reply.IsNil);
    }

    [Fact]
    public async Task Cancelling_a_blocking_read_recycles_the_dedicated_connection_so_it_stays_usable()
    {
        await using var consumer = Client.OpenDedicated();
        await consumer.ExecuteAsync("PING");
        var connectionId = (await consumer.ExecuteAsync("CLIENT", "ID")).AsLong();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var read = consumer.ExecuteAsync(["XREAD", "BLOCK", 0, "STREAMS", "orders", "$"], cancel.Token);
        await WaitUntilAsync(async () => await BlockedClientsAsync(Client) == 1, "XREAD is blocked on the server");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        var ping = consumer.ExecuteAsync("PING"); // would wait for ever behind BLOCK 0 on the old socket
        Assert.Same(ping, await Task.WhenAny(ping, Task.Delay(TimeSpan.FromSeconds(2), Ct)));
        Assert.NotEqual(connectionId, (await consumer.ExecuteAsync("CLIENT", "ID")).AsLong());
    }
}
