using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprChat.Chat.Realtime;

/// <summary>
/// The WebSocket protocol, version 1: JSON text frames with <c>v</c> and <c>type</c>. Documented with examples in
/// services/chat/README.md; the web client and the tests speak it.
/// </summary>
public static class Protocol
{
    public const int Version = 1;

    /// <summary>The subprotocol the server selects; a browser offers it together with <c>daprchat.ticket.{jwt}</c>.</summary>
    public const string SubProtocol = "daprchat.v1";

    public const string TicketSubProtocolPrefix = "daprchat.ticket.";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Frames are read by JSON.parse, never embedded in HTML: raw UTF-8 keeps a 4,000-emoji message a third the size.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>Close codes besides the standard ones (1000 normal, 1001 going away, 1003, 1007, 1008, 1009, 1011).</summary>
public static class CloseCodes
{
    /// <summary>The session expired (main's limit or the retention); its tickets no longer open it.</summary>
    public const int SessionExpired = 4410;

    /// <summary>The participant is no longer admitted (removed, or the session is unknown to the actor).</summary>
    public const int NotAdmitted = 4403;
}

/// <summary>Error codes of <c>error</c> frames.</summary>
public static class ErrorCodes
{
    public const string BadJson = "bad_json";
    public const string TooDeep = "too_deep";
    public const string UnsupportedVersion = "unsupported_version";
    public const string UnknownType = "unknown_type";
    public const string BadFrame = "bad_frame";
    public const string EmptyMessage = "empty_message";
    public const string MessageTooLong = "message_too_long";
    public const string BadClientId = "bad_client_id";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string SessionClosed = "session_closed";
    public const string Unavailable = "unavailable";
}

/// <summary>Everything the server sends: a <c>type</c> and the protocol version, then the frame's own fields.</summary>
public abstract record ServerFrame([property: JsonPropertyOrder(-2)] string Type)
{
    [JsonPropertyOrder(-1)]
    public int V => Protocol.Version;
}

public sealed record ParticipantView(string Id, string Role, string Name);

public sealed record WelcomeFrame(
    string SessionId,
    ParticipantView You,
    IReadOnlyList<ParticipantView> Participants,
    string State,
    long LastSeq,
    IReadOnlyDictionary<string, bool> Online,
    IReadOnlyDictionary<string, long> ReadUpTo,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RetainedUntil,
    int RetentionSeconds,
    int MaxMessageLength) : ServerFrame("welcome");

public sealed record MessageFrame(long Seq, string Id, string ClientId, string SenderId, string SenderRole, string Content, string Kind, DateTimeOffset SentAt)
    : ServerFrame("message");

public sealed record AckFrame(string ClientId, long Seq, string Id, DateTimeOffset SentAt, bool Duplicate) : ServerFrame("ack");

public sealed record TypingFrame(string ParticipantId, bool IsTyping) : ServerFrame("typing");

public sealed record ReadFrame(string ParticipantId, long UpToSeq) : ServerFrame("read");

public sealed record PresenceFrame(string ParticipantId, bool Online) : ServerFrame("presence");

public sealed record ResumedFrame(long AfterSeq, long LastSeq) : ServerFrame("resumed");

/// <summary><see cref="MessagesErased"/>: the request ended unanswered, and what was written to it is deleted.</summary>
public sealed record SessionEndedFrame(string? EndedBy, string? Reason, bool? MessagesErased = null) : ServerFrame("session_ended");

public sealed record SessionExpiredFrame(string Reason) : ServerFrame("session_expired");

public sealed record PongFrame(string? Id) : ServerFrame("pong");

public sealed record ErrorFrame(string Code, string Message, string? ClientId = null, bool? Retryable = null) : ServerFrame("error");
