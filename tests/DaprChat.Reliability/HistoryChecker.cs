namespace DaprChat.Reliability;

/// <summary>Kinds of anomaly the checker proves absent; each one found is listed with its session.</summary>
public enum AnomalyKind
{
    /// <summary>An acknowledged client id is missing from the store or from a side's view.</summary>
    Lost,
    /// <summary>A client id stored or acked under two sequences, or a sequence shown twice to one side.</summary>
    Duplicated,
    /// <summary>A side was shown a sequence lower than one it had already been shown.</summary>
    Inverted,
    /// <summary>A side's transcript (or a seq's client id) differs from the stored one.</summary>
    Diverged,
    /// <summary>The server refused a well-formed send for good: the message can never be acknowledged.</summary>
    Refused,
}

public sealed record Anomaly(AnomalyKind Kind, string SessionId, string Side, string Detail);

public sealed record CheckReport(
    int Faults, int Sent, int Acknowledged, int Lost, int Duplicated, int Inverted, int Diverged,
    TimeSpan WorstConvergence, IReadOnlyList<Anomaly> Anomalies)
{
    public bool Ok => Anomalies.Count == 0;

    public override string ToString() =>
        $"faults {Faults}, sent {Sent}, acknowledged {Acknowledged}, lost {Lost}, duplicated {Duplicated}, " +
        $"inverted {Inverted}, diverged {Diverged}, worst convergence {WorstConvergence.TotalMilliseconds:F0} ms" +
        (Ok ? "" : Environment.NewLine + string.Join(Environment.NewLine, Anomalies.Take(20).Select(a => $"  {a.Kind} {a.SessionId}/{a.Side}: {a.Detail}")));
}

/// <summary>
/// Jepsen-style offline check of a chat history: per session, every acked message is stored once and shown once to
/// every side, in sequence order, and each side's transcript equals the stored one.
/// </summary>
public static class HistoryChecker
{
    /// <param name="sides">The sides (sockets) expected to see every message of every session.</param>
    /// <param name="stored">The stored transcript per session, read after the run settled.</param>
    public static CheckReport Check(History history, IReadOnlyCollection<string> sides, IReadOnlyDictionary<string, IReadOnlyList<StoredMessage>> stored)
    {
        var events = history.Events;
        var faults = history.Faults.OrderBy(f => f.At).ToList();
        var anomalies = new List<Anomaly>();
        var sent = events.OfType<Sent>().Select(s => (s.SessionId, s.ClientId)).Distinct().Count();
        var acknowledged = 0;
        var worst = TimeSpan.Zero;

        var sessions = events.Select(e => e.SessionId).Concat(stored.Keys).Distinct().Order(StringComparer.Ordinal);
        foreach (var session in sessions)
        {
            var store = stored.TryGetValue(session, out var s) ? s : [];
            var storedBySeq = new Dictionary<long, string>();
            var storedByClient = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var m in store)
            {
                if (!storedBySeq.TryAdd(m.Seq, m.ClientId))
                    anomalies.Add(new(AnomalyKind.Duplicated, session, "store", $"seq {m.Seq} stored twice"));
                if (m.ClientId.Length > 0 && !storedByClient.TryAdd(m.ClientId, m.Seq))
                    anomalies.Add(new(AnomalyKind.Duplicated, session, "store", $"client id {m.ClientId} stored as seq {storedByClient[m.ClientId]} and {m.Seq}"));
            }
            for (var i = 1; i < store.Count; i++)
                if (store[i].Seq <= store[i - 1].Seq)
                    anomalies.Add(new(AnomalyKind.Inverted, session, "store", $"seq {store[i].Seq} after {store[i - 1].Seq}"));

            // Acks: one seq per client id, and that seq must hold that client id in the store.
            var acks = events.OfType<Acked>().Where(a => a.SessionId == session).ToList();
            var ackedSeq = new Dictionary<string, Acked>(StringComparer.Ordinal);
            foreach (var a in acks.OrderBy(a => a.At))
            {
                if (ackedSeq.TryGetValue(a.ClientId, out var first))
                {
                    if (first.Seq != a.Seq)
                        anomalies.Add(new(AnomalyKind.Duplicated, session, a.Side, $"client id {a.ClientId} acked as seq {first.Seq} and {a.Seq}"));
                    continue;
                }
                ackedSeq[a.ClientId] = a;
                if (!storedBySeq.TryGetValue(a.Seq, out var holder))
                    anomalies.Add(new(AnomalyKind.Lost, session, "store", $"acked client id {a.ClientId} (seq {a.Seq}) not stored"));
                else if (holder != a.ClientId)
                    anomalies.Add(new(AnomalyKind.Diverged, session, "store", $"acked seq {a.Seq} is {a.ClientId} but stored as {holder}"));
            }
            acknowledged += ackedSeq.Count;
            foreach (var r in events.OfType<Refused>().Where(r => r.SessionId == session))
                anomalies.Add(new(AnomalyKind.Refused, session, r.Side, $"client id {r.ClientId} refused: {r.Code}"));

            var receives = events.OfType<Received>().Where(r => r.SessionId == session).ToList();
            foreach (var side in sides)
            {
                var shown = receives.Where(r => r.Side == side).OrderBy(r => r.At).ToList();
                var seen = new Dictionary<long, Received>();
                long last = 0;
                foreach (var r in shown)
                {
                    if (!seen.TryAdd(r.Seq, r))
                        anomalies.Add(new(AnomalyKind.Duplicated, session, side, $"seq {r.Seq} shown twice"));
                    else if (r.Seq < last)
                        anomalies.Add(new(AnomalyKind.Inverted, session, side, $"seq {r.Seq} shown after {last}"));
                    last = Math.Max(last, r.Seq);
                    if (storedBySeq.TryGetValue(r.Seq, out var holder) && holder != r.ClientId)
                        anomalies.Add(new(AnomalyKind.Diverged, session, side, $"seq {r.Seq} shown as {r.ClientId}, stored as {holder}"));
                }
                foreach (var a in ackedSeq.Values)
                {
                    if (!seen.TryGetValue(a.Seq, out var r))
                        anomalies.Add(new(AnomalyKind.Lost, session, side, $"acked seq {a.Seq} ({a.ClientId}) never shown"));
                    else if (r.At - a.At > worst)
                        worst = r.At - a.At;
                }
                var view = seen.Keys.Order().ToList();
                var storedSeqs = storedBySeq.Keys.Order().ToList();
                if (!view.SequenceEqual(storedSeqs))
                {
                    var missing = storedSeqs.Except(view).Take(5);
                    var extra = view.Except(storedSeqs).Take(5);
                    anomalies.Add(new(AnomalyKind.Diverged, session, side,
                        $"transcript differs from store: missing [{string.Join(',', missing)}], not stored [{string.Join(',', extra)}]"));
                }
            }
        }

        int Count(AnomalyKind k) => anomalies.Count(a => a.Kind == k);
        return new(faults.Count, sent, acknowledged, Count(AnomalyKind.Lost), Count(AnomalyKind.Duplicated),
            Count(AnomalyKind.Inverted), Count(AnomalyKind.Diverged), worst, anomalies);
    }
}
