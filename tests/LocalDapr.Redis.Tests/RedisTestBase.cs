using System.Diagnostics;
using DaprChat.Testing;

namespace LocalDapr.Redis.Tests;

/// <summary>Starts a real redis-server for each test and disposes it, with every client the test created.</summary>
public abstract class RedisTestBase : IAsyncLifetime
{
    private readonly List<RedisClient> _clients = [];

    protected RedisServer Server { get; private set; } = null!;

    /// <summary>A client with default options, created for every test.</summary>
    protected RedisClient Client { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Server = await RedisServer.StartAsync(Ct);
        Client = NewClient();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected RedisClient NewClient(Func<RedisOptions, RedisOptions>? configure = null)
    {
        var options = new RedisOptions { Host = Server.Address };
        var client = new RedisClient(configure is null ? options : configure(options));
        _clients.Add(client);
        return client;
    }

    /// <summary>How many clients Redis currently reports as blocked in a blocking command.</summary>
    protected static async Task<long> BlockedClientsAsync(RedisClient via) => long.Parse(
        InfoField((await via.ExecuteAsync("INFO", "clients")).AsString()!, "blocked_clients"), System.Globalization.CultureInfo.InvariantCulture);

    protected static async Task<long> ConnectedClientsAsync(RedisClient via) => long.Parse(
        InfoField((await via.ExecuteAsync("INFO", "clients")).AsString()!, "connected_clients"), System.Globalization.CultureInfo.InvariantCulture);

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Timed out waiting until {what}.");
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>Asserts the task fails with <typeparamref name="T"/> well before <paramref name="within"/>, proving it did not hang.</summary>
    protected static async Task<T> FailsWithinAsync<T>(Task task, TimeSpan within)
        where T : Exception
    {
        var finished = await Task.WhenAny(task, Task.Delay(within, Ct));
        Assert.True(finished == task, $"The command did not finish within {within}.");
        return await Assert.ThrowsAsync<T>(() => task);
    }

    private static string InfoField(string info, string name) =>
        info.Split("\r\n").Single(line => line.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];
}
