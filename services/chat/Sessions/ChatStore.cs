using System.Globalization;
using DaprChat.Contracts;
using DaprChat.Dapr;

namespace DaprChat.Chat.Sessions;

/// <summary>
/// The session and its messages in <c>chatstore</c> through the state API, every write with <c>ttlInSeconds</c>.
/// One key per message (<c>session:{id}:msg:{seq}</c>), so an append writes two keys whatever the chat's length.
/// </summary>
public sealed class ChatStore(DaprClient dapr)
{
    private const int BatchSize = 100;
    private const string Store = DaprNames.StateStores.Chat;

    public static string SessionKey(string sessionId) => $"session:{sessionId}";

    public static string MessageKey(string sessionId, long sequence) =>
        $"session:{sessionId}:msg:{sequence.ToString(CultureInfo.InvariantCulture)}";

    public Task<SessionRecord?> GetSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<SessionRecord>(Store, SessionKey(sessionId), ConsistencyMode.Strong, cancellationToken: cancellationToken);

    public Task SaveSessionAsync(SessionRecord session, TimeSpan ttl, CancellationToken cancellationToken) =>
        dapr.ExecuteStateTransactionAsync(Store, [StateTransactionRequest.Upsert(SessionKey(session.SessionId), session, metadata: Ttl(ttl))],
            cancellationToken: cancellationToken);

    /// <summary>The message and the session that now counts it, in one transaction: both or neither are stored.</summary>
    public Task AppendAsync(SessionRecord session, ChatMessage message, TimeSpan ttl, CancellationToken cancellationToken) =>
        dapr.ExecuteStateTransactionAsync(Store, [
            StateTransactionRequest.Upsert(MessageKey(session.SessionId, message.Sequence), message, metadata: Ttl(ttl)),
            StateTransactionRequest.Upsert(SessionKey(session.SessionId), session, metadata: Ttl(ttl)),
        ], cancellationToken: cancellationToken);

    /// <summary>Messages <paramref name="from"/>..<paramref name="to"/> in order; expired ones are simply absent.</summary>
    public async Task<IReadOnlyList<ChatMessage>> ReadAsync(string sessionId, long from, long to, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>();
        for (var start = Math.Max(1, from); start <= to; start += BatchSize)
        {
            var keys = Sequences(start, Math.Min(to, start + BatchSize - 1)).Select(seq => MessageKey(sessionId, seq)).ToList();
            var items = await dapr.GetBulkStateAsync<ChatMessage>(Store, keys, cancellationToken: cancellationToken);
            messages.AddRange(items.Where(i => i.Found && i.Value is not null).Select(i => i.Value!));
        }

        messages.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return messages;
    }

    /// <summary>
    /// Re-writes messages 1..<paramref name="lastSequence"/> with a new TTL, so the older ones live as long as the newest.
    /// Off the append path: the actor runs it once per retention period of an active chat.
    /// </summary>
    public async Task ExtendMessagesAsync(string sessionId, long lastSequence, TimeSpan ttl, CancellationToken cancellationToken)
    {
        for (var start = 1L; start <= lastSequence; start += BatchSize)
        {
            var messages = await ReadAsync(sessionId, start, Math.Min(lastSequence, start + BatchSize - 1), cancellationToken);
            if (messages.Count > 0)
            {
                await dapr.SaveStatesAsync(Store, messages.Select(m => new SaveStateItem(MessageKey(sessionId, m.Sequence), m, Metadata: Ttl(ttl))),
                    cancellationToken);
            }
        }
    }

    /// <summary>Deletes messages 1..<paramref name="lastSequence"/>: what was written to a request nobody answered.</summary>
    public async Task EraseMessagesAsync(string sessionId, long lastSequence, CancellationToken cancellationToken)
    {
        for (var start = 1L; start <= lastSequence; start += BatchSize)
        {
            await dapr.ExecuteStateTransactionAsync(Store,
                Sequences(start, Math.Min(lastSequence, start + BatchSize - 1)).Select(seq => StateTransactionRequest.Delete(MessageKey(sessionId, seq))).ToList(),
                cancellationToken: cancellationToken);
        }
    }

    private static IEnumerable<long> Sequences(long from, long to)
    {
        for (var seq = from; seq <= to; seq++)
        {
            yield return seq;
        }
    }

    /// <summary>Whole seconds, rounded up, at least one: a key must never be written without an expiry.</summary>
    private static Dictionary<string, string> Ttl(TimeSpan ttl) => new()
    {
        ["ttlInSeconds"] = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
    };
}
