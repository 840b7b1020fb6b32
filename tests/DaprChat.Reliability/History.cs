using System.Collections.Concurrent;

namespace DaprChat.Reliability;

/// <summary>One observed operation; Side is the socket that saw it (e.g. "student", "counselor").</summary>
public abstract record HistoryEvent(string SessionId, string Side, DateTimeOffset At);

/// <summary>The client put a send frame with this client id on the wire (first try or retry).</summary>
public sealed record Sent(string SessionId, string Side, string ClientId, DateTimeOffset At) : HistoryEvent(SessionId, Side, At);

/// <summary>The server acknowledged the client id with a sequence: from now on the message must never be lost.</summary>
public sealed record Acked(string SessionId, string Side, string ClientId, long Seq, bool Duplicate, DateTimeOffset At) : HistoryEvent(SessionId, Side, At);

/// <summary>A message frame was shown to this side (live or by resume).</summary>
public sealed record Received(string SessionId, string Side, string ClientId, long Seq, DateTimeOffset At) : HistoryEvent(SessionId, Side, At);

/// <summary>A fault the harness injected (kill, pause, cut), for convergence figures.</summary>
public sealed record FaultInjected(string Kind, DateTimeOffset At);

/// <summary>One stored message as read back from chat's transcript (or the store) after the run.</summary>
public sealed record StoredMessage(long Seq, string ClientId);

/// <summary>Thread-safe, append-only record of everything clients did and saw during a run.</summary>
public sealed class History
{
    private readonly ConcurrentQueue<HistoryEvent> _events = new();
    private readonly ConcurrentQueue<FaultInjected> _faults = new();

    public void Add(HistoryEvent e) => _events.Enqueue(e);
    public void Fault(FaultInjected f) => _faults.Enqueue(f);
    public IReadOnlyList<HistoryEvent> Events => [.. _events];
    public IReadOnlyList<FaultInjected> Faults => [.. _faults];
}

/// <summary>The server refused a send for good (not retryable); the harness never sends such content, so it is a finding.</summary>
public sealed record Refused(string SessionId, string Side, string ClientId, string Code, DateTimeOffset At) : HistoryEvent(SessionId, Side, At);
