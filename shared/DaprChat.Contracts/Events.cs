namespace DaprChat.Contracts;

// Event payloads published between the apps. Add fields; never rename them (subscribers may lag a release).

/// <summary>
/// Something happened in a chat session that every chat instance's sockets of that session should hear about. Carries
/// no message text: the stream behind <c>fanout</c> outlives the 24 h promise, so instances read stored messages by
/// <see cref="Sequence"/> from <c>chatstore</c>, where they expire.
/// </summary>
public sealed record ChatFanoutEvent(
    string SessionId,
    string Kind,
    DateTimeOffset At,
    long? Sequence = null,
    string? ParticipantId = null,
    bool? IsTyping = null,
    bool? Online = null,
    long? ReadUpTo = null,
    string? Reason = null,
    bool? MessagesErased = null);

/// <summary>The kinds of <see cref="ChatFanoutEvent"/>.</summary>
public static class ChatFanoutKinds
{
    public const string Message = "message";
    public const string Typing = "typing";
    public const string Read = "read";
    public const string Presence = "presence";
    public const string Ended = "ended";
    public const string Expired = "expired";
}

/// <summary>The recipient had no live connection when a message was stored. Never carries the text.</summary>
public sealed record OfflineMessageEvent(
    string SessionId,
    string RecipientId,
    long Sequence,
    DateTimeOffset SentAt);

/// <summary>A participant ended the session, or it expired.</summary>
public sealed record SessionEndedEvent(
    string SessionId,
    string EndedBy,
    string Reason,
    DateTimeOffset EndedAt);

/// <summary>A counsellor asked for a summary of a session.</summary>
public sealed record SummaryRequestedEvent(
    string JobId,
    string SessionId,
    string StudentKey,
    string RequestedBy,
    DateTimeOffset RequestedAt);

/// <summary>A summary is stored and can be shown on the counsellor's dashboard.</summary>
public sealed record SummaryReadyEvent(
    string JobId,
    string SessionId,
    string RequestedBy,
    DateTimeOffset ReadyAt);

/// <summary>main: a student asked a counsellor for a chat. Names the counsellor by account id and nothing of the student.</summary>
public sealed record SessionRequestedEvent(
    string SessionId,
    string CounselorId,
    DateTimeOffset RequestedAt);

/// <summary>A summary could not be made after the last retry; <see cref="Reason"/> is one of <see cref="SummaryFailureReasons"/>.</summary>
public sealed record SummaryFailedEvent(
    string JobId,
    string SessionId,
    string RequestedBy,
    string Reason,
    DateTimeOffset FailedAt);
