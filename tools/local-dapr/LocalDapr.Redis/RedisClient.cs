using System.Collections.Concurrent;

namespace LocalDapr.Redis;

/// <summary>
/// A Redis client speaking RESP2 over TCP. All commands share one lazily opened, automatically reopened,
/// pipelined connection; blocking reads go through <see cref="OpenDedicated"/>. Thread-safe.
/// </summary>
public sealed class RedisClient : IAsyncDisposable
{
    private readonly ConcurrentDictionary<RedisConnection, byte> _dedicated = new();
    private int _disposed;

    public RedisClient(RedisOptions options)
    {
        Shared = new RedisConnection(options, dedicated: false);
        Options = options;
    }

    public RedisOptions Options { get; }

    internal RedisConnection Shared { get; }

    /// <summary>Runs one command; args are string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long or double. Throws <see cref="RedisServerException"/> on an error reply.</summary>
    public Task<RedisReply> ExecuteAsync(string command, params object?[] args) => Shared.ExecuteAsync(command, args);

    public Task<RedisReply> ExecuteAsync(IReadOnlyList<object?> commandAndArgs, CancellationToken cancellationToken = default) =>
        Shared.ExecuteAsync(commandAndArgs, cancellationToken);

    /// <inheritdoc cref="RedisConnection.PipelineAsync"/>
    public Task<RedisReply[]> PipelineAsync(IReadOnlyList<IReadOnlyList<object?>> commands, CancellationToken cancellationToken = default) =>
        Shared.PipelineAsync(commands, cancellationToken);

    /// <inheritdoc cref="RedisConnection.EvalAsync"/>
    public Task<RedisReply> EvalAsync(LuaScript script, IReadOnlyList<object?> keys, IReadOnlyList<object?> args, CancellationToken cancellationToken = default) =>
        Shared.EvalAsync(script, keys, args, cancellationToken);

    /// <summary>A separate connection with the same options, for blocking commands. The caller disposes it; disposing the client also does.</summary>
    public RedisConnection OpenDedicated()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new RedisConnection(Options, dedicated: true, onDisposed: c => _dedicated.TryRemove(c, out _));
        _dedicated.TryAdd(connection, 0);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Shared.DisposeAsync();
        foreach (var connection in _dedicated.Keys)
        {
            await connection.DisposeAsync();
        }
    }
}
