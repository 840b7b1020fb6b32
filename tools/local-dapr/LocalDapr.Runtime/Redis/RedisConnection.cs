using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace LocalDapr.Redis;

/// <summary>How to reach one Redis server; the redisHost/redisUsername/redisPassword/redisDB metadata of contrib's components.</summary>
public sealed record RedisEndpoint(string Host, string? Username = null, string? Password = null, int Database = 0)
{
    public ConfigurationOptions ToConfiguration(TimeSpan commandTimeout)
    {
        var options = ConfigurationOptions.Parse(Host);
        options.User = Username;
        options.Password = Password;
        options.DefaultDatabase = Database;
        // Keep reconnecting in the background instead of failing start-up; commands wait in the backlog meanwhile.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000;
        options.AsyncTimeout = (int)commandTimeout.TotalMilliseconds;
        options.SyncTimeout = (int)commandTimeout.TotalMilliseconds;
        options.ClientName = "local-dapr";
        // RESP2 reply shapes (XREADGROUP as nested arrays, not a RESP3 map), which the stream reader parses.
        options.Protocol = RedisProtocol.Resp2;
        return options;
    }

    // Keeps the password out of logs that print the endpoint.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Host = {Host}, Username = {Username}, Password = {(Password is null ? "" : "***")}, Database = {Database}");
        return true;
    }
}

/// <summary>
/// One multiplexed StackExchange.Redis connection per Redis server, shared by every component of the process (commands
/// from all callers are pipelined on it), plus dedicated connections for the blocking stream reads of pub/sub.
/// </summary>
public sealed class RedisConnection(RedisEndpoint endpoint) : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);
    private readonly Lazy<Task<ConnectionMultiplexer>> _shared = new(() => ConnectionMultiplexer.ConnectAsync(endpoint.ToConfiguration(CommandTimeout)));

    public RedisEndpoint Endpoint { get; } = endpoint;

    public async ValueTask<IDatabase> DatabaseAsync() => (await _shared.Value).GetDatabase();

    /// <summary>A connection of its own for commands that block the server side (XREADGROUP BLOCK); the caller disposes it.</summary>
    public async Task<ConnectionMultiplexer> OpenDedicatedAsync(TimeSpan commandTimeout) =>
        await ConnectionMultiplexer.ConnectAsync(Endpoint.ToConfiguration(commandTimeout));

    public async ValueTask DisposeAsync()
    {
        if (_shared.IsValueCreated)
        {
            try
            {
                await (await _shared.Value).DisposeAsync();
            }
            catch (RedisConnectionException)
            {
                // Never connected: nothing to close.
            }
        }
    }
}
