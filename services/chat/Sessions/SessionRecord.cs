using DaprChat.Contracts;

namespace DaprChat.Chat.Sessions;

/// <summary>
/// A session as the <c>ChatSession</c> actor stores it in <c>chatstore</c> (key <c>session:{id}</c>), written with the
/// session's TTL. It never names the student's account: the student is their pseudonym.
/// </summary>
public sealed record SessionRecord(
    string SessionId,
    IReadOnlyList<ChatParticipant> Participants,
    string State,
    DateTimeOffset OpenedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    string? EndedBy,
    string? EndReason,
    long LastSequence,
    DateTimeOffset LastActivityAt,
    DateTimeOffset KeysExpireNotBefore,
    IReadOnlyDictionary<string, long> ReadUpTo,
    IReadOnlyList<RecentSend> RecentSends,
    DateTimeOffset? AnswerBy = null,
    DateTimeOffset? JoinedAt = null,
    bool MessagesErased = false)
{
    public string StudentPseudonym => Participants.First(p => p.Role == Roles.Student).Id;

    public string CounselorId => Participants.First(p => p.Role != Roles.Student).Id;

    public bool IsParticipant(string participantId) => Participants.Any(p => p.Id == participantId);

    public ChatParticipant? Participant(string participantId) => Participants.FirstOrDefault(p => p.Id == participantId);

    /// <summary>Until when the chat's data is kept: the retention after its last message (or its opening).</summary>
    public DateTimeOffset RetainedUntil(TimeSpan retention) => LastActivityAt + retention;

    public ChatSessionSnapshot ToSnapshot(TimeSpan retention) => new(SessionId, Participants, StudentPseudonym, CounselorId, State,
        OpenedAt, ExpiresAt, EndedAt, EndedBy, EndReason, LastSequence, RetainedUntil(retention), JoinedAt, MessagesErased);
}

/// <summary>
/// A recent send, remembered so a retry with the same client id is stored once. Only the id and the sequence: the list
/// is rewritten with every append, and a retry finds its sender, message id and time in the stored message.
/// </summary>
public sealed record RecentSend(string ClientId, long Sequence);
