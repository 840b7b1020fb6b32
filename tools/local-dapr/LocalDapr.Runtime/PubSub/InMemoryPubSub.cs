using System.Threading.Channels;

namespace LocalDapr.PubSub;

/// <summary>
/// pubsub.in-memory, shared by every sidecar in this process (daprd's is private to one sidecar). Consumer groups
/// follow pubsub.redis so app-id and "{uuid}" consumers behave the same in memory and in Redis. Delivery is ordered
/// per member; a failing message is retried 10 times, 100 ms apart, then dropped, as components-contrib does.
/// </summary>
public sealed class InMemoryPubSub(ILogger logger) : IPubSubBroker
{
    private const int MaxAttempts = 10;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<string, Dictionary<string, Group>> _topics = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var message = new BrokerMessage(topic, data, metadata);
        lock (_gate)
        {
            if (_topics.TryGetValue(topic, out var groups))
            {
                foreach (var group in groups.Values)
                {
                    group.Next()?.Queue.Writer.TryWrite(message);
                }
            }
        }

        return Task.CompletedTask;
    }

    public IAsyncDisposable Subscribe(string topic, string consumerGroup, BrokerHandler handler)
    {
        var member = new Member(handler);
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var groups))
            {
                _topics[topic] = groups = new Dictionary<string, Group>(StringComparer.Ordinal);
            }

            if (!groups.TryGetValue(consumerGroup, out var group))
            {
                groups[consumerGroup] = group = new Group();
            }

            group.Members.Add(member);
        }

        member.Loop = Task.Run(() => RunAsync(member));
        return new Subscription(this, topic, consumerGroup, member);
    }

    private async Task RunAsync(Member member)
    {
        var token = member.Stop.Token;
        try
        {
            await foreach (var message in member.Queue.Reader.ReadAllAsync(token))
            {
                for (var attempt = 1; attempt <= MaxAttempts; attempt++)
                {
                    bool handled;
                    try
                    {
                        handled = await member.Handler(message, token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.InMemoryDeliveryFailed(ex, message.Topic);
                        handled = false;
                    }

                    if (handled)
                    {
                        break;
                    }

                    if (attempt == MaxAttempts)
                    {
                        logger.InMemoryDropped(message.Topic, MaxAttempts);
                    }
                    else
                    {
                        await Task.Delay(RetryDelay, token);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask UnsubscribeAsync(string topic, string consumerGroup, Member member)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(topic, out var groups) && groups.TryGetValue(consumerGroup, out var group))
            {
                group.Members.Remove(member);
                if (group.Members.Count == 0)
                {
                    groups.Remove(consumerGroup);
                }
            }
        }

        member.Queue.Writer.TryComplete();
        await member.Stop.CancelAsync();
        if (member.Loop is { } loop)
        {
            await loop;
        }

        member.Stop.Dispose();
    }

    private sealed class Group
    {
        private int _next;

        public List<Member> Members { get; } = [];

        public Member? Next() => Members.Count == 0 ? null : Members[_next++ % Members.Count];
    }

    private sealed class Member(BrokerHandler handler)
    {
        public BrokerHandler Handler { get; } = handler;
        public Channel<BrokerMessage> Queue { get; } = Channel.CreateUnbounded<BrokerMessage>(new UnboundedChannelOptions { SingleReader = true });
        public CancellationTokenSource Stop { get; } = new();
        public Task? Loop { get; set; }
    }

    private sealed class Subscription(InMemoryPubSub owner, string topic, string group, Member member) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => owner.UnsubscribeAsync(topic, group, member);
    }
}
