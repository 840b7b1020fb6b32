namespace DaprChat.Contracts;

// Event payloads published between the apps. Add fields; never rename them (subscribers may lag a release).

/// <summary>A stored chat message, fanned out to every chat instance for live delivery.</summary>
public sealed record ChatMessageEvent(
    string SessionId,
    long Sequence,
    string MessageId,
    string SenderId,
    string Content,
    string Kind,
    DateTimeOffset SentAt);

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
