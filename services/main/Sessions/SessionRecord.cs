using DaprChat.Contracts;
using DaprChat.Main.Infrastructure;

namespace DaprChat.Main.Sessions;

/// <summary>A chat request's life: pending → active (counsellor joins) → ended/expired; or pending → declined/timed out.</summary>
public static class SessionStatus
{
    public const string Pending = "pending";
    public const string Active = "active";
    public const string Declined = "declined";
    public const string TimedOut = "timed_out";
    public const string Ended = "ended";
    public const string Expired = "expired";

    public static bool IsOpen(string status) => status is Pending or Active;
}

/// <summary>
/// A session under <c>session:{id}</c>. It names the student only by pseudonym: the link to the account is the separate
/// pseudonym entry, so nothing that serialises a session can leak who the student is.
/// </summary>
public sealed record SessionRecord(
    string Id,
    string StudentPseudonym,
    string StudentAlias,
    string CounselorId,
    string CounselorName,
    string CounselorRole,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset RequestExpiresAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? ClosedAt,
    string? ClosedBy);

/// <summary>pseudonym → account, under <c>pseudonym:{anon_…}</c>; read only inside main.</summary>
public sealed record PseudonymEntry(string Pseudonym, string AccountId, string SessionId);

/// <summary>Open session ids of one student or one book, under <c>student-sessions:{id}</c> / <c>book-sessions:{id}</c>; guards the caps.</summary>
public sealed record SessionList(IReadOnlyList<string> SessionIds);

/// <summary>The request state machine as pure functions of (session, now), so every replica agrees without coordination.</summary>
public static class SessionRules
{
    public static readonly Problem Closed = new(StatusCodes.Status409Conflict, "session_closed", "The session is no longer open");

    /// <summary>Transitions that time alone makes: an unanswered request times out; an open session expires.</summary>
    public static SessionRecord Evaluate(SessionRecord session, DateTimeOffset now) => session.Status switch
    {
        SessionStatus.Pending when now >= session.RequestExpiresAt => session with { Status = SessionStatus.TimedOut, ClosedAt = session.RequestExpiresAt, ClosedBy = "system" },
        SessionStatus.Active when now >= session.ExpiresAt => session with { Status = SessionStatus.Expired, ClosedAt = session.ExpiresAt, ClosedBy = "system" },
        _ => session,
    };

    /// <summary>The counsellor joins: a pending request becomes active; joining an active one again just re-issues a ticket.</summary>
    public static Outcome<SessionRecord> Join(SessionRecord session, DateTimeOffset now)
    {
        var current = Evaluate(session, now);
        return current.Status switch
        {
            SessionStatus.Pending => current with { Status = SessionStatus.Active, JoinedAt = now },
            SessionStatus.Active => current,
            _ => Closed,
        };
    }

    public static Outcome<SessionRecord> Decline(SessionRecord session, DateTimeOffset now)
    {
        var current = Evaluate(session, now);
        return current.Status == SessionStatus.Pending
            ? current with { Status = SessionStatus.Declined, ClosedAt = now, ClosedBy = current.CounselorId }
            : Closed;
    }

    /// <summary>
    /// Why the chat room of a closed session ended, as chat's <see cref="ChatEndReasons"/>: a request that closed before
    /// anyone joined is declined, timed out or withdrawn (and chat erases what was written to it). Null while open.
    /// </summary>
    public static string? ChatEndReason(SessionRecord session) => session.Status switch
    {
        SessionStatus.Declined => ChatEndReasons.Declined,
        SessionStatus.TimedOut => ChatEndReasons.TimedOut,
        SessionStatus.Ended when session.JoinedAt is null => ChatEndReasons.Withdrawn,
        SessionStatus.Ended => ChatEndReasons.Ended,
        SessionStatus.Expired => ChatEndReasons.Expired,
        _ => null,
    };

    /// <summary>Either side ends an open session; ending an ended one is a no-op so retries are safe.</summary>
    public static Outcome<SessionRecord> End(SessionRecord session, string endedBy, DateTimeOffset now)
    {
        var current = Evaluate(session, now);
        return current.Status switch
        {
            SessionStatus.Pending or SessionStatus.Active => current with { Status = SessionStatus.Ended, ClosedAt = now, ClosedBy = endedBy },
            SessionStatus.Ended => current,
            _ => Closed,
        };
    }
}
