using Dapr.Client;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;

namespace DaprChat.Notify.Push;

/// <summary>When a recipient was last pushed for a session.</summary>
public sealed record PushMark(DateTimeOffset SentAt);

/// <summary>The state behind the quiet period; ETag-guarded so that of several notify instances only one claims a push.</summary>
public interface IPushMarks
{
    Task<(PushMark? Mark, string ETag)> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes only if the key still has <paramref name="etag"/> (<c>""</c>: only if absent); false if someone else wrote first.</summary>
    Task<bool> TrySaveAsync(string key, PushMark mark, string etag, TimeSpan ttl, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>Marks in <c>chatstore</c> (Redis), first-write with ETags, expiring with the quiet period.</summary>
public sealed class DaprPushMarks(DaprClient dapr) : IPushMarks
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong };

    public async Task<(PushMark? Mark, string ETag)> GetAsync(string key, CancellationToken cancellationToken) =>
        await dapr.GetStateAndETagAsync<PushMark>(DaprNames.StateStores.Chat, key, ConsistencyMode.Strong, cancellationToken: cancellationToken);

    public async Task<bool> TrySaveAsync(string key, PushMark mark, string etag, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string> { ["ttlInSeconds"] = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        // False only for an ETag conflict (another instance wrote first); any other failure throws, so the event is redelivered.
        return await dapr.TrySaveStateAsync(DaprNames.StateStores.Chat, key, mark, etag, FirstWrite, metadata, cancellationToken);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        dapr.DeleteStateAsync(DaprNames.StateStores.Chat, key, cancellationToken: cancellationToken);
}

/// <summary>At most one push per recipient and session per quiet period: a burst of messages is one push.</summary>
public sealed class QuietPeriod(IPushMarks marks, IOptions<PushOptions> options, TimeProvider time)
{
    public static string Key(string sessionId, string recipientId) => $"push-quiet:{sessionId}:{recipientId}";

    /// <summary>True when this caller may push now (and has recorded it); false while an earlier push is within the period.</summary>
    public async Task<bool> TryClaimAsync(string sessionId, string recipientId, CancellationToken cancellationToken)
    {
        var key = Key(sessionId, recipientId);
        var now = time.GetUtcNow();
        var quiet = options.Value.QuietPeriod;
        var (mark, etag) = await marks.GetAsync(key, cancellationToken);
        // The stored time decides, not only the store's TTL, so the rule holds with any clock and any store.
        if (mark is not null && now - mark.SentAt < quiet)
        {
            return false;
        }

        return await marks.TrySaveAsync(key, new PushMark(now), mark is null ? "" : etag, quiet, cancellationToken);
    }

    /// <summary>A claimed push that could not go out (FCM down): let a redelivery claim it again.</summary>
    public Task ReleaseAsync(string sessionId, string recipientId, CancellationToken cancellationToken) =>
        marks.DeleteAsync(Key(sessionId, recipientId), cancellationToken);
}
