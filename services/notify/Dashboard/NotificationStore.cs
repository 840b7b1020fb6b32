using Dapr;
using Dapr.Client;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;

namespace DaprChat.Notify.Dashboard;

/// <summary>A counsellor's kept notifications, under <c>dashboard:{counselorId}</c>; ids rise by one per counsellor.</summary>
public sealed record NotificationLog(long LastId, IReadOnlyList<DashboardNotificationEvent> Items);

/// <summary>
/// Stores each notification for its counsellor (ETag-guarded, so any notify instance may append) and tells every notify
/// instance through <c>fanout</c>; a redelivered event (same kind, session, job and sequence) is not stored twice.
/// </summary>
public sealed partial class NotificationStore(DaprClient dapr, IOptions<DashboardOptions> options, TimeProvider time, ILogger<NotificationStore> logger)
{
    private const int MaxAttempts = 20;

    public static string Key(string counselorId) => $"dashboard:{counselorId}";

    public async Task<IReadOnlyList<DashboardNotificationEvent>> SinceAsync(string counselorId, long afterId, CancellationToken cancellationToken)
    {
        var log = await dapr.GetStateAsync<NotificationLog>(DaprNames.StateStores.Chat, Key(counselorId), ConsistencyMode.Strong, cancellationToken: cancellationToken);
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        return (log?.Items ?? []).Where(n => n.Id > afterId && n.At >= cutoff).ToList();
    }

    /// <summary>Appends and announces; returns the stored notification (the earlier one for a duplicate).</summary>
    public async Task<DashboardNotificationEvent> AddAsync(string counselorId, string kind, string sessionId, string dedupe, string? jobId, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var metadata = new Dictionary<string, string> { ["ttlInSeconds"] = ((long)o.Retention.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        for (var attempt = 0; ; attempt++)
        {
            var (log, etag) = await dapr.GetStateAndETagAsync<NotificationLog>(DaprNames.StateStores.Chat, Key(counselorId), ConsistencyMode.Strong, cancellationToken: cancellationToken);
            var now = time.GetUtcNow();
            var items = (log?.Items ?? []).Where(n => n.At >= now - o.Retention).ToList();
            if (items.FirstOrDefault(n => Dedupe(n) == dedupe) is { } existing)
            {
                return existing;
            }

            var added = new DashboardNotificationEvent(counselorId, (log?.LastId ?? 0) + 1, kind, sessionId, now, jobId, dedupe);
            items.Add(added);
            var kept = new NotificationLog(added.Id, items.TakeLast(o.MaxKept).ToList());
            bool saved;
            try
            {
                saved = await dapr.TrySaveStateAsync(DaprNames.StateStores.Chat, Key(counselorId), kept, etag ?? "",
                    new StateOptions { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong }, metadata, cancellationToken);
            }
            catch (DaprException) when (attempt < MaxAttempts)
            {
                saved = false;
            }

            if (saved)
            {
                await dapr.PublishEventAsync(DaprNames.PubSubs.Fanout, DaprNames.Topics.DashboardNotification, added, cancellationToken);
                LogAdded(kind, sessionId, added.Id);
                return added;
            }

            if (attempt >= MaxAttempts)
            {
                throw new InvalidOperationException($"Could not store a dashboard notification after {MaxAttempts} attempts");
            }
        }
    }

    private static string Dedupe(DashboardNotificationEvent n) => n.Dedupe ?? $"{n.Kind}:{n.SessionId}:{n.JobId}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard notification {Kind} for session {SessionId} stored as {Id}")]
    private partial void LogAdded(string kind, string sessionId, long id);
}
