using System.Globalization;

namespace LocalDapr.Redis.Tests;

public sealed class MultiplexingTests : RedisTestBase
{
    [Fact]
    public async Task Replies_are_matched_to_their_commands_under_concurrency()
    {
        const int tasks = 50;
        const int iterations = 200;

        await Task.WhenAll(Enumerable.Range(0, tasks).Select(task => Task.Run(async () =>
        {
            for (var i = 0; i < iterations; i++)
            {
                var value = $"task {task} iteration {i}";
                await Client.ExecuteAsync("SET", $"key:{task}", value);
                Assert.Equal(value, (await Client.ExecuteAsync("GET", $"key:{task}")).AsString());
                Assert.Equal(i + 1, (await Client.ExecuteAsync("INCR", $"counter:{task}")).AsLong());
            }
        }, Ct)));

        for (var task = 0; task < tasks; task++)
        {
            Assert.Equal(iterations, (await Client.ExecuteAsync("GET", $"counter:{task}")).AsLong());
        }

        Assert.Equal(1, await ConnectedClientsAsync(Client)); // all 50 tasks shared one socket
    }

    [Fact]
    public async Task Commands_queued_together_are_coalesced_into_few_socket_writes()
    {
        await Client.ExecuteAsync("PING");
        var writesBefore = Client.Shared.SocketWriteCount;
        const int commands = 2000;

        var replies = await Task.WhenAll(Enumerable.Range(0, commands).Select(_ => Client.ExecuteAsync("INCR", "n")));

        var writes = Client.Shared.SocketWriteCount - writesBefore;
        Assert.Equal(Enumerable.Range(1, commands).Select(i => (long)i), replies.Select(r => r.AsLong()).Order());
        Assert.True(writes < commands / 4, $"{commands} commands took {writes} socket writes.");
    }

    [Fact]
    public async Task A_pipeline_is_one_write_and_returns_error_replies_in_place()
    {
        await Client.ExecuteAsync("PING");
        var writesBefore = Client.Shared.SocketWriteCount;

        var replies = await Client.PipelineAsync(
        [
            ["SET", "a", "1"],
            ["INCR", "a"],
            ["LPUSH", "a", "x"],
            ["GET", "a"],
            ["GET", "missing"],
        ], Ct);

        Assert.Equal(1, Client.Shared.SocketWriteCount - writesBefore);
        Assert.Equal(5, replies.Length);
        Assert.Equal("OK", replies[0].AsString());
        Assert.Equal(2, replies[1].AsLong());
        Assert.StartsWith("WRONGTYPE", Assert.IsType<RedisReply.Error>(replies[2]).Message, StringComparison.Ordinal);
        Assert.Equal("2", replies[3].AsString());
        Assert.True(replies[4].IsNil);
    }

    [Fact]
    public async Task Transactions_in_a_pipeline_are_never_interleaved_with_other_callers()
    {
        const int rounds = 100;
        var transactions = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < rounds; i++)
            {
                var replies = await Client.PipelineAsync([["MULTI"], ["INCR", "tx"], ["INCR", "tx"], ["EXEC"]], Ct);
                Assert.Equal(["OK", "QUEUED", "QUEUED"], replies[..3].Select(r => r.AsString()));
                var executed = replies[3].AsArray()!;
                Assert.Equal(executed[0].AsLong() + 1, executed[1].AsLong());
            }
        }, Ct));
        var plainCommands = Enumerable.Range(0, 10).Select(task => Task.Run(async () =>
        {
            for (var i = 0; i < rounds; i++)
            {
                // Inside someone else's MULTI this would answer QUEUED instead of the count.
                Assert.Equal(i + 1, (await Client.ExecuteAsync("INCR", "plain:" + task.ToString(CultureInfo.InvariantCulture))).AsLong());
            }
        }, Ct));

        await Task.WhenAll(transactions.Concat(plainCommands));

        Assert.Equal(10 * rounds * 2, (await Client.ExecuteAsync("GET", "tx")).AsLong());
    }

    [Fact]
    public async Task Commands_that_would_change_the_shared_connection_for_everyone_are_refused()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Client.ExecuteAsync("SELECT", 1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Client.ExecuteAsync("MULTI"));
        await Assert.ThrowsAsync<NotSupportedException>(() => Client.ExecuteAsync("SUBSCRIBE", "channel"));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.PipelineAsync([["MULTI"], ["INCR", "n"]], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.ExecuteAsync("SET", "k", null));
        Assert.Equal("PONG", (await Client.ExecuteAsync("PING")).AsString());
    }
}
