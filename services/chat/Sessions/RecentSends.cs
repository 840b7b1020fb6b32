namespace DaprChat.Chat.Sessions;

/// <summary>
/// A recent send, remembered so a retry with the same client id is stored once. Only the id and the sequence: the list
/// is rewritten with every append, and a retry finds its sender, message id and time in the stored message.
/// </summary>
public sealed record RecentSend(string ClientId, long Sequence);

/// <summary>The de-duplication window: the last <c>capacity</c> sends of a session, oldest first.</summary>
public static class RecentSends
{
    /// <summary>The sequences this client id was stored under recently (a client id may be reused by the other side).</summary>
    public static IEnumerable<long> Candidates(IReadOnlyList<RecentSend> window, string clientId) =>
        window.Where(s => s.ClientId == clientId).Select(s => s.Sequence);

    /// <summary>The window with <paramref name="send"/> appended and the oldest dropped past <paramref name="capacity"/>.</summary>
    public static IReadOnlyList<RecentSend> Append(IReadOnlyList<RecentSend> window, RecentSend send, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var keep = Math.Min(window.Count, capacity - 1);
        return [.. window.Skip(window.Count - keep), send];
    }
}
