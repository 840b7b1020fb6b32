using DaprChat.Main.Directory;

namespace DaprChat.Main.Sessions;

public sealed record ChatRequest(string BookId);

public sealed record CounselorRef(string Id, string DisplayName, string Role);

public sealed record TicketView(string SessionId, string ParticipantId, string Role, string Ticket, DateTimeOffset ExpiresAt, string ChatUrl);

/// <summary>
/// A session as its student sees it: their own pseudonym and alias, the counsellor's display name, and who closed it
/// (their own pseudonym, the counsellor's id, or <c>system</c> for a timeout or expiry).
/// </summary>
public sealed record StudentSessionView(
    string Id,
    string Status,
    string Pseudonym,
    string Alias,
    CounselorRef Counselor,
    DateTimeOffset CreatedAt,
    DateTimeOffset RequestExpiresAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? ClosedAt,
    string? ClosedBy,
    string ChatUrl,
    IReadOnlyList<BookView>? Alternatives,
    bool MessagesErased)
{
    public static StudentSessionView From(SessionRecord s, string chatUrl, IReadOnlyList<BookView>? alternatives = null) => new(
        s.Id, s.Status, s.StudentPseudonym, s.StudentAlias, new CounselorRef(s.CounselorId, s.CounselorName, s.CounselorRole),
        s.CreatedAt, s.RequestExpiresAt, s.ExpiresAt, s.JoinedAt, s.ClosedAt, s.ClosedBy, chatUrl, alternatives,
        DaprChat.Contracts.ChatEndReasons.EndsUnansweredRequest(SessionRules.ChatEndReason(s)));
}

public sealed record SessionCreated(StudentSessionView Session, TicketView Ticket);

/// <summary>A session as its counsellor sees it: pseudonym and alias only.</summary>
public sealed record BookSessionView(
    string Id,
    string Status,
    string StudentPseudonym,
    string StudentAlias,
    DateTimeOffset CreatedAt,
    DateTimeOffset RequestExpiresAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? ClosedAt)
{
    public static BookSessionView From(SessionRecord s) =>
        new(s.Id, s.Status, s.StudentPseudonym, s.StudentAlias, s.CreatedAt, s.RequestExpiresAt, s.ExpiresAt, s.JoinedAt, s.ClosedAt);
}
