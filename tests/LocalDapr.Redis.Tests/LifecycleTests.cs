using DaprChat.Testing;

namespace LocalDapr.Redis.Tests;

public sealed class LifecycleTests : RedisTestBase
{
    [Fact]
    public async Task Disposing_fails_pending_commands_closes_the_socket_and_is_idempotent()
    {
        var client = NewClient();
        await client.ExecuteAsync("PING");
        Assert.Equal(2, await ConnectedClientsAsync(Client));
        var blocked = client.ExecuteAsync("BLPOP", "empty", 3);
        await WaitUntilAsync(async () => await BlockedClientsAsync(Client) == 1, "BLPOP is blocked on the server");

        await client.DisposeAsync();

        await FailsWithinAsync<RedisConnectionException>(blocked, TimeSpan.FromSeconds(1));
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ExecuteAsync("PING"));
        await WaitUntilAsync(async () => await ConnectedClientsAsync(Client) == 1, "Redis sees the socket closed");
    }

    [Fact]
    public async Task Disposing_the_client_also_disposes_its_dedicated_connections()
    {
        var client = NewClient();
        var dedicated = client.OpenDedicated();
        var read = dedicated.ExecuteAsync(["XREAD", "BLOCK", 0, "STREAMS", "stream", "$"], Ct);
        await WaitUntilAsync(async () => await BlockedClientsAsync(Client) == 1, "XREAD is blocked on the server");

        await client.DisposeAsync();

        await FailsWithinAsync<RedisConnectionException>(read, TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => dedicated.ExecuteAsync("PING"));
    }

    [Fact]
    public async Task A_client_connects_only_when_it_sends_its_first_command()
    {
        var client = NewClient();
        Assert.Equal(1, await ConnectedClientsAsync(Client));
        Assert.False(client.Shared.IsConnected);

        await client.ExecuteAsync("PING");

        Assert.True(client.Shared.IsConnected);
        Assert.Equal(2, await ConnectedClientsAsync(Client));
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_within_the_connect_timeout()
    {
        await using var client = new RedisClient(new RedisOptions
        {
            Host = $"127.0.0.1:{FreePort.Next()}",
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
        });

        var error = await FailsWithinAsync<RedisConnectionException>(client.ExecuteAsync("PING"), TimeSpan.FromSeconds(2));

        Assert.IsType<System.Net.Sockets.SocketException>(error.InnerException);
        Assert.False(client.Shared.IsConnected);
    }
}
