using DaprChat.Main.Accounts;
using DaprChat.Main.Infrastructure;
using DaprChat.ServiceDefaults;

namespace DaprChat.Main.Sessions;

/// <summary>
/// The per-student and per-book lists of open sessions. A list is pruned of closed sessions whenever it is read for a
/// cap, with time evaluated lazily, and every change is ETag-guarded, so several main replicas enforce one cap.
/// </summary>
public sealed class SessionIndex(UserStore store, TimeProvider time)
{
    public async Task<IReadOnlyList<SessionRecord>> OpenSessionsAsync(string listKey, CancellationToken cancellationToken)
    {
        var list = await store.GetAsync<SessionList>(listKey, cancellationToken);
        return await LoadOpenAsync(list?.SessionIds ?? [], cancellationToken);
    }

    /// <summary>Open-session counts of many books at once (one bulk read of lists, one of sessions).</summary>
    public async Task<IReadOnlyDictionary<string, int>> OpenCountsAsync(IReadOnlyList<string> bookIds, CancellationToken cancellationToken)
    {
        var lists = await store.GetManyAsync<SessionList>(bookIds.Select(Keys.BookSessions).ToList(), cancellationToken);
        var ids = lists.Values.SelectMany(l => l.SessionIds).Distinct().ToList();
        var open = (await LoadOpenAsync(ids, cancellationToken)).ToDictionary(s => s.Id);
        return bookIds.ToDictionary(id => id, id => lists.TryGetValue(Keys.BookSessions(id), out var l) ? l.SessionIds.Count(open.ContainsKey) : 0);
    }

    /// <summary>Adds the session to the list unless the list already holds <paramref name="cap"/> open sessions.</summary>
    public Task<Outcome<SessionList>> ReserveAsync(string listKey, string sessionId, int cap, Problem whenFull, CancellationToken cancellationToken) =>
        store.UpdateAsync<SessionList>(listKey, async current =>
        {
            var open = await LoadOpenAsync(current?.SessionIds ?? [], cancellationToken);
            var kept = open.Select(s => s.Id).Where(id => id != sessionId).ToList();
            if (kept.Count >= cap)
            {
                return whenFull;
            }

            return new SessionList([.. kept, sessionId]);
        }, cancellationToken);

    private async Task<IReadOnlyList<SessionRecord>> LoadOpenAsync(IReadOnlyList<string> sessionIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessions = await store.GetManyAsync<SessionRecord>(sessionIds.Select(Keys.Session).ToList(), cancellationToken);
        return sessions.Values.Select(s => SessionRules.Evaluate(s, now)).Where(s => SessionStatus.IsOpen(s.Status)).ToList();
    }
}
