using System.Diagnostics;

namespace LocalDapr.Redis.Tests;

public sealed class TimeoutAndCancellationTests : RedisTestBase
{
    [Fact]
    public async Task A_command_over_the_command_timeout_fails_and_its_late_reply_never_reaches_a_later_command()
    {
        var client = NewClient(o => o with { CommandTimeout = TimeSpan.FromMilliseconds(300) });
        await client.ExecuteAsync("SET", "k", "value");
        var connectionId = (await client.ExecuteAsync("CLIENT", "ID")).AsLong();
        var stopwatch = Stopwatch.StartNew();

        var slow = client.ExecuteAsync("BLPOP", "empty", 2); // the server would answer nil after 2 s
        var behind = client.ExecuteAsync("GET", "k");

        var error = await FailsWithinAsync<RedisConnectionException>(slow, TimeSpan.FromSeconds(1.5));
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(250), $"Timed out after only {stopwatch.Elapsed}.");
        await FailsWithinAsync<RedisConnectionException>(behind, TimeSpan.FromSeconds(1));
        Assert.Equal("value", (await client.ExecuteAsync("GET", "k")).AsString());
        Assert.NotEqual(connectionId, (await client.ExecuteAsync("CLIENT", "ID")).AsLong());
    }

    [Fact]
    public async Task Cancelling_a_command_drops_its_reply_without_shifting_later_replies()
    {
        var admin = NewClient();
        await Client.ExecuteAsync("SET", "k", "value");
        var connectionId = (await Client.ExecuteAsync("CLIENT", "ID")).AsLong();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var blocked = Client.ExecuteAsync(["BLPOP", "empty", 0.5], cancel.Token);
        await WaitUntilAsync(async () => await BlockedClientsAsync(admin) == 1, "BLPOP is blocked on the server");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        Assert.Equal("value", (await Client.ExecuteAsync("GET", "k")).AsString()); // queued behind the abandoned BLPOP's nil
        Assert.Equal(connectionId, (await Client.ExecuteAsync("CLIENT", "ID")).AsLong());
    }

    [Fact]
    public async Task A_command_cancelled_while_still_queued_is_never_sent()
    {
        await Client.ExecuteAsync("PING");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // The writer is busy with 32 MB while the next command waits in the queue and gets cancelled there.
        var big = Client.ExecuteAsync("SET", "big", new byte[32 * 1024 * 1024]);
        var queued = Client.ExecuteAsync(["SET", "k", "v"], cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        await big;
        Assert.True((await Client.ExecuteAsync("GET", "k")).IsNil);
    }
}
