using System.Collections.Concurrent;
using System.Threading.Channels;
using DaprChat.Contracts;

namespace DaprChat.Notify.Dashboard;

/// <summary>This instance's open streams, by counsellor. Fed by the <c>fanout</c> subscription, so every instance hears every notification.</summary>
public sealed class StreamHub
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Channel<DashboardNotificationEvent>>> _streams = new(StringComparer.Ordinal);

    public int OpenStreams => _streams.Values.Sum(s => s.Count);

    public Subscription Subscribe(string counselorId)
    {
        // Bounded: a stalled desk loses the oldest live items, which it gets back by Last-Event-ID on reconnect.
        var channel = Channel.CreateBounded<DashboardNotificationEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var id = Guid.NewGuid();
        _streams.GetOrAdd(counselorId, _ => new()).TryAdd(id, channel);
        return new Subscription(channel.Reader, () =>
        {
            if (_streams.TryGetValue(counselorId, out var mine))
            {
                mine.TryRemove(id, out _);
            }
        });
    }

    public void Publish(DashboardNotificationEvent notification)
    {
        if (_streams.TryGetValue(notification.CounselorId, out var streams))
        {
            foreach (var channel in streams.Values)
            {
                channel.Writer.TryWrite(notification);
            }
        }
    }

    public sealed class Subscription(ChannelReader<DashboardNotificationEvent> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<DashboardNotificationEvent> Reader { get; } = reader;

        public void Dispose() => unsubscribe();
    }
}
