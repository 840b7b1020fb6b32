using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using LocalDapr.Redis;
using StackExchange.Redis;

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
public sealed class RedisStreamsPubSub(RedisConnection redis, RedisStreamsOptions options, ILogger logger) : IPubSubBroker
{
    private RedisConnection Redis { get; } = redis;
    private RedisStreamsOptions Options { get; } = options;
    private ILogger Logger { get; } = logger;

    public async Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var db = await Redis.DatabaseAsync();
        await db.StreamAddAsync(
            topic,
            [new NameValueEntry("data", data), new NameValueEntry("metadata", JsonSerializer.SerializeToUtf8Bytes(metadata))],
            maxLength: Options.MaxLenApprox is { } maxLen ? checked((int)maxLen) : null,
            useApproximateMaxLength: Options.MaxLenApprox is not null);
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

        private RedisConnection Redis => owner.Redis;
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

        private async Task EnsureGroupAsync()
        {
            var db = await Redis.DatabaseAsync();
            try
            {
                await db.StreamCreateConsumerGroupAsync(topic, group, "0", createStream: true);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
            }
        }

        private async Task ReadLoopAsync()
        {
            var token = _stop.Token;
            // XREADGROUP BLOCK holds its connection until it answers, so it gets one of its own, never the shared one.
            ConnectionMultiplexer? connection = null;
            using var closeOnStop = token.Register(() => connection?.Dispose());
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await EnsureGroupAsync();
                    connection ??= await Redis.OpenDedicatedAsync(TimeSpan.FromSeconds(10));
                    var db = connection.GetDatabase();
                    while (!token.IsCancellationRequested)
                    {
                        var reply = await db.ExecuteAsync("XREADGROUP", "GROUP", group, group, "COUNT", owner.Options.QueueDepth, "BLOCK", 1000, "STREAMS", topic, ">");
                        foreach (var entry in Entries(reply))
                        {
                            await EnqueueAsync(entry.Id, entry.Message, token);
                        }
                    }
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
                {
                    // The stream or group was deleted: recreate it on the next turn.
                }
                catch (Exception ex)
                {
                    Log.RedisReadFailed(topic, ex.Message);
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

        /// <summary>An XREADGROUP reply, [[topic, [[id, [field, value, ...]], ...]]], as messages.</summary>
        private IEnumerable<(string Id, BrokerMessage Message)> Entries(RedisResult reply)
        {
            if (reply.IsNull)
            {
                yield break;
            }

            foreach (var stream in (RedisResult[])reply!)
            {
                if (stream.IsNull || (RedisResult[])stream! is not { Length: 2 } parts)
                {
                    continue;
                }

                foreach (var entry in ClaimedEntries(parts[1]))
                {
                    yield return entry;
                }
            }
        }

        /// <summary>A list of stream entries, [[id, [field, value, ...]], ...], as XCLAIM answers it.</summary>
        private IEnumerable<(string Id, BrokerMessage Message)> ClaimedEntries(RedisResult list)
        {
            if (list.IsNull)
            {
                yield break;
            }

            foreach (var entry in (RedisResult[])list!)
            {
                if (entry.IsNull || (RedisResult[])entry! is not { Length: 2 } pair || (string?)pair[0] is not { } id)
                {
                    continue;
                }

                if (pair[1].IsNull)
                {
                    // Trimmed away between XPENDING and XCLAIM: nothing left to deliver.
                    continue;
                }

                var fields = (RedisResult[])pair[1]!;
                byte[]? data = null;
                IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
                for (var i = 0; i + 1 < fields.Length; i += 2)
                {
                    switch ((string?)fields[i])
                    {
                        case "data":
                            data = (byte[]?)fields[i + 1];
                            break;
                        case "metadata" when (byte[]?)fields[i + 1] is { Length: > 0 } json:
                            metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? metadata;
                            break;
                    }
                }

                yield return (id, new BrokerMessage(topic, data ?? [], metadata));
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
                            await (await Redis.DatabaseAsync()).StreamAcknowledgeAsync(topic, group, id);
                        }
                    }
                    catch (Exception ex) when (!token.IsCancellationRequested)
                    {
                        Log.RedisHandlerFailed(topic, id, ex.Message);
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
                    var db = await Redis.DatabaseAsync();
                    var pending = await db.ExecuteAsync("XPENDING", topic, group, "IDLE", minIdle, "-", "+", owner.Options.QueueDepth);
                    var ids = ((RedisResult[])pending!).Select(p => (string?)((RedisResult[])p!)[0]).OfType<string>().ToList();
                    if (ids.Count == 0)
                    {
                        continue;
                    }

                    var claimed = await db.ExecuteAsync("XCLAIM", [topic, group, group, minIdle, .. ids]);
                    var found = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var entry in ClaimedEntries(claimed))
                    {
                        found.Add(entry.Id);
                        await EnqueueAsync(entry.Id, entry.Message, token);
                    }

                    // Entries trimmed from the stream stay pending forever unless acknowledged.
                    foreach (var gone in ids.Where(id => !found.Contains(id)))
                    {
                        await db.StreamAcknowledgeAsync(topic, group, gone);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    Log.RedisRedeliveryFailed(topic, ex.Message);
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
