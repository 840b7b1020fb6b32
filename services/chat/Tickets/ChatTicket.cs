using System.Diagnostics.CodeAnalysis;

namespace DaprChat.Chat.Tickets;

/// <summary>A verified chat ticket: who joins which session, in which role, with which permissions, until when.</summary>
public sealed record ChatTicket(
    string SessionId,
    string ParticipantId,
    string Role,
    string DisplayName,
    IReadOnlySet<string> Permissions,
    DateTimeOffset ExpiresAt);

/// <summary>Why a ticket was refused; for logs and close reasons, never shown with the ticket itself.</summary>
public enum TicketRefusal
{
    Missing,
    Malformed,
    BadSignature,
    UnknownKey,
    WrongIssuerOrAudience,
    Expired,
    WrongSession,
    NoPermission,
}

/// <summary>The outcome of <see cref="TicketValidator.ValidateAsync"/>: exactly one of the two is non-null.</summary>
public readonly record struct TicketCheck(ChatTicket? Ticket, TicketRefusal? Refusal)
{
    [MemberNotNullWhen(true, nameof(Ticket))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool IsAccepted => Ticket is not null;

    internal static TicketCheck Accept(ChatTicket ticket) => new(ticket, null);

    internal static TicketCheck Refuse(TicketRefusal refusal) => new(null, refusal);
}
