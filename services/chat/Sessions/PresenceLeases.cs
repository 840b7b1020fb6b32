namespace DaprChat.Chat.Sessions;

/// <summary>
/// Who is connected to a session, as leases per socket that the sockets renew. A participant is online while any of
/// their sockets holds an unexpired lease; a socket whose chat instance died stops renewing, and its lease lapses.
/// Kept in the actor's memory: a moved or re-activated actor relearns it from the next renewals.
/// </summary>
public sealed class PresenceLeases(TimeSpan lease, TimeProvider time)
{
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _byParticipant = new(StringComparer.Ordinal);

    public bool IsEmpty => _byParticipant.Values.All(l => l.Count == 0);

    public bool IsOnline(string participantId) =>
        _byParticipant.TryGetValue(participantId, out var leases) && leases.Values.Any(until => until > time.GetUtcNow());

    /// <summary>Takes or renews the socket's lease; true when this brings the participant online.</summary>
    public bool Renew(string participantId, string connectionId)
    {
        var wasOnline = IsOnline(participantId);
        if (!_byParticipant.TryGetValue(participantId, out var leases))
        {
            _byParticipant[participantId] = leases = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        }

        leases[connectionId] = time.GetUtcNow() + lease;
        return !wasOnline;
    }

    /// <summary>The socket closed; true when that takes the participant offline.</summary>
    public bool Release(string participantId, string connectionId) =>
        _byParticipant.TryGetValue(participantId, out var leases) && leases.Remove(connectionId) && !IsOnline(participantId);

    /// <summary>Drops lapsed leases; the participants this takes offline.</summary>
    public IReadOnlyList<string> Sweep()
    {
        var now = time.GetUtcNow();
        var wentOffline = new List<string>();
        foreach (var (participant, leases) in _byParticipant)
        {
            var wasOnline = leases.Count > 0;
            foreach (var lapsed in leases.Where(l => l.Value <= now).Select(l => l.Key).ToList())
            {
                leases.Remove(lapsed);
            }

            if (wasOnline && leases.Count == 0)
            {
                wentOffline.Add(participant);
            }
        }

        return wentOffline;
    }

    public void Clear() => _byParticipant.Clear();
}
