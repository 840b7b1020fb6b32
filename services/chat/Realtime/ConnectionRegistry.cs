using System.Collections.Concurrent;
using DaprChat.Contracts;

namespace DaprChat.Chat.Realtime;

/// <summary>The sockets this instance holds, by session, so fan-out events reach the ones they concern.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ChatConnection>> _bySession = new(StringComparer.Ordinal);

    public int Count => _bySession.Values.Sum(c => c.Count);

    public void Add(ChatConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _bySession.GetOrAdd(connection.SessionId, _ => new ConcurrentDictionary<string, ChatConnection>(StringComparer.Ordinal))[connection.Id] = connection;
    }

    public void Remove(ChatConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_bySession.TryGetValue(connection.SessionId, out var connections))
        {
            connections.TryRemove(connection.Id, out _);
            if (connections.IsEmpty)
            {
                _bySession.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, ChatConnection>>(connection.SessionId, connections));
            }
        }
    }

    public Task DispatchAsync(ChatFanoutEvent fanout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fanout);
        return _bySession.TryGetValue(fanout.SessionId, out var connections)
            ? Task.WhenAll(connections.Values.Select(c => c.OnFanoutAsync(fanout, cancellationToken)))
            : Task.CompletedTask;
    }
}
