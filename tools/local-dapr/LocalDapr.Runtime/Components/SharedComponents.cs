using System.Collections.Concurrent;
using LocalDapr.PubSub;
using LocalDapr.Redis;
using LocalDapr.State;

namespace LocalDapr.Components;

/// <summary>
/// Component instances shared by every sidecar of one runtime process: in-memory stores and brokers by component
/// name (so apps under `up` see one another's data), and one Redis client per server.
/// </summary>
public sealed class SharedComponents(ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, InMemoryStateStore> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InMemoryPubSub> _pubsubs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<RedisEndpoint, RedisConnection> _redis = new();

    public InMemoryStateStore InMemoryState(string name) => _states.GetOrAdd(name, _ => new InMemoryStateStore());

    public InMemoryPubSub InMemoryPubSub(string name) =>
        _pubsubs.GetOrAdd(name, n => new InMemoryPubSub(loggers.CreateLogger("pubsub." + n)));

    public RedisConnection Redis(RedisEndpoint endpoint) => _redis.GetOrAdd(endpoint, e => new RedisConnection(e));

    public RedisStreamsPubSub RedisPubSub(RedisConnection client, RedisStreamsOptions options) =>
        new(client, options, loggers.CreateLogger("pubsub.redis"));

    public async ValueTask DisposeAsync()
    {
        foreach (var state in _states.Values)
        {
            state.Dispose();
        }

        foreach (var client in _redis.Values)
        {
            await client.DisposeAsync();
        }
    }
}
