using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using LocalDapr.Redis;

namespace LocalDapr.PubSub;

public sealed record RedisStreamsOptions(
    TimeSpan ProcessingTimeout,
    TimeSpan RedeliverInterval,
    int QueueDepth,
    int Concurrency,
    long? MaxLenApprox)
{
    /// <summary>components-contrib's real defaults (its docs swap the two timeouts).</summary>
    public static RedisStreamsOptions Defaults { get; } = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), 100, 10, null);
}

/// <summary>
/// pubsub.redis on Redis Streams, laid out as components-contrib does: the stream key is the topic, entries hold
/// "data" (the envelope) and "metadata" (JSON), the consumer group and consumer name are both the consumer id,
/// acknowledged with XACK only on success, and pending entries idle longer than processingTimeout are XCLAIMed
/// every redeliverInterval.
/// </summary>
public sealed class RedisStreamsPubSub(RedisClient redis, RedisStreamsOptions options, ILogger logger) : IPubSubBroker
{
    private RedisClient Redis { get; } = redis;
    private RedisStreamsOptions Options { get; } = options;
    private ILogger Logger { get; } = logger;

    public async Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var command = new List<object?> { "XADD", topic };
        if (Options.MaxLenApprox is { } maxLen)
        {
            command.AddRange(["MAXLEN", "~", maxLen]);
        }

        command.AddRange(["*", "data", data, "metadata", JsonSerializer.SerializeToUtf8Bytes(metadata)]);
        await Redis.ExecuteAsync(command, cancellationToken);
    }

    public IAsyncDisposable Subscribe(string topic, string consumerGroup, BrokerHandler handler)
    {
        var subscription = new Subscription(this, topic, consumerGroup, handler);
        subscription.Start();
        return subscription;
    }

    private sealed class Subscription(RedisStreamsPubSub owner, string topic, string group, BrokerHandler handler) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Channel<(string Id, BrokerMessage Message)> _work =
            Channel.CreateBounded<(string, BrokerMessage)>(Math.Max(1, owner.Options.QueueDepth));
        private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private readonly List<Task> _tasks = [];

        private RedisClient Redis => owner.Redis;
        private ILogger Log => owner.Logger;

        public void Start()
        {
            _tasks.Add(Task.Run(ReadLoopAsync));
            for (var i = 0; i < Math.Max(1, owner.Options.Concurrency); i++)
            {
                _tasks.Add(Task.Run(WorkerAsync));
            }

            if (owner.Options.ProcessingTimeout > TimeSpan.Zero && owner.Options.RedeliverInterval > TimeSpan.Zero)
            {
                _tasks.Add(Task.Run(RedeliverLoopAsync));
            }
        }

        private async Task EnsureGroupAsync(CancellationToken token)
        {
            try
            {
                await Redis.ExecuteAsync(["XGROUP", "CREATE", topic, group, "0", "MKSTREAM"], token);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
            }
        }

        private async Task ReadLoopAsync()
        {
            var token = _stop.Token;
            RedisConnection? connection = null;
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await EnsureGroupAsync(token);
                    connection ??= Redis.OpenDedicated();
                    while (!token.IsCancellationRequested)
                    {
                        var reply = await connection.ExecuteAsync(
                            ["XREADGROUP", "GROUP", group, group, "COUNT", owner.Options.QueueDepth, "BLOCK", 1000, "STREAMS", topic, ">"],
                            TimeSpan.FromSeconds(10),
                            token);
                        foreach (var entry in Entries(reply))
                        {
                            await EnqueueAsync(entry.Id, entry.Message, token);
                        }
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
                {
                    // The stream or group was deleted: recreate it on the next turn.
                }
                catch (Exception ex)
                {
                    Log.LogWarning("redis pub/sub read on {Topic} failed, retrying: {Error}", topic, ex.Message);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    await DelayAsync(TimeSpan.FromMilliseconds(500), token);
                }
            }

            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        private IEnumerable<(string Id, BrokerMessage Message)> Entries(RedisReply reply)
        {
            // [[topic, [[id, [field, value, ...]], ...]]]
            foreach (var stream in reply.AsArray() ?? [])
            {
                var parts = stream.AsArray();
                if (parts is not { Length: 2 })
                {
                    continue;
                }

                foreach (var entry in parts[1].AsArray() ?? [])
                {
                    var pair = entry.AsArray();
                    if (pair is not { Length: 2 } || pair[0].AsString() is not { } id)
                    {
                        continue;
                    }

                    if (pair[1].AsArray() is not { } fields)
                    {
                        // Trimmed away between XPENDING and XCLAIM: nothing left to deliver.
                        continue;
                    }

                    byte[]? data = null;
                    IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
                    for (var i = 0; i + 1 < fields.Length; i += 2)
                    {
                        switch (fields[i].AsString())
                        {
                            case "data":
                                data = fields[i + 1].AsBytes();
                                break;
                            case "metadata" when fields[i + 1].AsBytes() is { Length: > 0 } json:
                                metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? metadata;
                                break;
                        }
                    }

                    yield return (id, new BrokerMessage(topic, data ?? [], metadata));
                }
            }
        }

        private async Task EnqueueAsync(string id, BrokerMessage message, CancellationToken token)
        {
            lock (_gate)
            {
                // A reclaimed entry that is still being handled here is not handed out twice.
                if (!_inFlight.Add(id))
                {
                    return;
                }
            }

            await _work.Writer.WriteAsync((id, message), token);
        }

        private async Task WorkerAsync()
        {
            var token = _stop.Token;
            try
            {
                await foreach (var (id, message) in _work.Reader.ReadAllAsync(token))
                {
                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                        timeout.CancelAfter(owner.Options.ProcessingTimeout > TimeSpan.Zero ? owner.Options.ProcessingTimeout : Timeout.InfiniteTimeSpan);
                        if (await handler(message, timeout.Token))
                        {
                            await Redis.ExecuteAsync(["XACK", topic, group, id], token);
                        }
                    }
                    catch (Exception ex) when (!token.IsCancellationRequested)
                    {
                        Log.LogWarning("redis pub/sub handler on {Topic} failed for {Id}: {Error}", topic, id, ex.Message);
                    }
                    finally
                    {
                        lock (_gate)
                        {
                            _inFlight.Remove(id);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task RedeliverLoopAsync()
        {
            var token = _stop.Token;
            var minIdle = (long)owner.Options.ProcessingTimeout.TotalMilliseconds;
            while (!token.IsCancellationRequested)
            {
                await DelayAsync(owner.Options.RedeliverInterval, token);
                try
                {
                    var pending = await Redis.ExecuteAsync(["XPENDING", topic, group, "IDLE", minIdle, "-", "+", owner.Options.QueueDepth], token);
                    var ids = (pending.AsArray() ?? []).Select(p => p.AsArray()?[0].AsString()).OfType<string>().ToList();
                    if (ids.Count == 0)
                    {
                        continue;
                    }

                    var command = new List<object?> { "XCLAIM", topic, group, group, minIdle };
                    command.AddRange(ids);
                    var claimed = await Redis.ExecuteAsync(command, token);
                    var found = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var entry in Entries(new RedisReply.Array([new RedisReply.Array([new RedisReply.BulkString(null), claimed])])))
                    {
                        found.Add(entry.Id);
                        await EnqueueAsync(entry.Id, entry.Message, token);
                    }

                    // Entries trimmed from the stream stay pending forever unless acknowledged.
                    foreach (var gone in ids.Where(id => !found.Contains(id)))
                    {
                        await Redis.ExecuteAsync(["XACK", topic, group, gone], token);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    Log.LogWarning("redis pub/sub redelivery on {Topic} failed: {Error}", topic, ex.Message);
                }
            }
        }

        private static async Task DelayAsync(TimeSpan delay, CancellationToken token)
        {
            try
            {
                await Task.Delay(delay, token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _work.Writer.TryComplete();
            try
            {
                await Task.WhenAll(_tasks);
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }

}
