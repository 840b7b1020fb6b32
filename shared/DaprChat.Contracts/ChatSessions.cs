namespace DaprChat.Contracts;

// What main and chat say to each other about a chat session: the ChatSession actor's methods and the chat ticket.
// Add fields; never rename them (the other app may lag a release).

/// <summary>Account roles. A chat participant's role is one of them (never admin).</summary>
public static class Roles
{
    public const string Student = "student";
    public const string Volunteer = "volunteer";
    public const string Counselor = "counselor";
    public const string Admin = "admin";
}

/// <summary>Method names of the <see cref="DaprNames.ActorTypes.ChatSession"/> actor.</summary>
public static class ChatSessionMethods
{
    public const string Open = "open";
    public const string Get = "get";
    public const string End = "end";

    /// <summary>chat → actor: a participant's socket connects (membership check and presence lease).</summary>
    public const string Admit = "admit";

    /// <summary>chat → actor: the socket is still there (renews its lease).</summary>
    public const string Renew = "renew";

    /// <summary>chat → actor: the socket closed.</summary>
    public const string Leave = "leave";

    public const string Send = "send";
    public const string MarkRead = "read";

    /// <summary>main → actor: the counsellor accepted the request (before main records it, so the actor never erases a chat main calls active).</summary>
    public const string Join = "join";
}

/// <summary>Why a session ended or is no longer usable; also the <c>reason</c> of <see cref="SessionEndedEvent"/>.</summary>
public static class ChatEndReasons
{
    /// <summary>main's maximum session duration passed, or the chat's data reached its retention limit.</summary>
    public const string Expired = "expired";

    /// <summary>A participant ended a session the counsellor had joined.</summary>
    public const string Ended = "ended";

    /// <summary>The counsellor declined the request.</summary>
    public const string Declined = "declined";

    /// <summary>Nobody answered the request in time.</summary>
    public const string TimedOut = "timed_out";

    /// <summary>The student withdrew the request before anyone joined.</summary>
    public const string Withdrawn = "withdrawn";

    /// <summary>Reasons that end a request nobody joined: what the student wrote while waiting is erased, since no one read it.</summary>
    public static bool EndsUnansweredRequest(string? reason) => reason is Declined or TimedOut or Withdrawn;
}

/// <summary>The actor's own view of a session: open until someone ends it or it expires.</summary>
public static class ChatSessionStates
{
    public const string Open = "open";
    public const string Ended = "ended";
}

/// <summary>One side of a chat: the student's per-session pseudonym, or the counsellor's account id.</summary>
public sealed record ChatParticipant(string Id, string Role, string DisplayName);

/// <summary>
/// main → ChatSession "open". Idempotent: the same request for the same session returns the session as it is.
/// <see cref="AnswerBy"/> is when the request times out if the counsellor has not joined: the actor then ends it and
/// erases what the student wrote, even if main is never asked again.
/// </summary>
public sealed record OpenChatSessionRequest(
    string SessionId,
    ChatParticipant Student,
    ChatParticipant Counselor,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? AnswerBy = null);

/// <summary>main or chat → ChatSession "end". Ending an ended session changes nothing.</summary>
public sealed record EndChatSessionRequest(string EndedBy, string Reason);

/// <summary>What the ChatSession actor holds about its session (never who the student is).</summary>
public sealed record ChatSessionSnapshot(
    string SessionId,
    IReadOnlyList<ChatParticipant> Participants,
    string StudentPseudonym,
    string CounselorId,
    string State,
    DateTimeOffset OpenedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    string? EndedBy,
    string? EndReason,
    long LastSequence = 0,
    DateTimeOffset? RetainedUntil = null,
    DateTimeOffset? JoinedAt = null,
    bool MessagesErased = false);

/// <summary>What chat's socket layer asks of the actor; <see cref="ConnectionId"/> names one socket.</summary>
public sealed record ChatConnectionRequest(string ParticipantId, string ConnectionId);

/// <summary>Outcomes of the actor's socket-facing methods, so refusals are answers, not exceptions.</summary>
public static class ChatOutcomes
{
    public const string Ok = "ok";
    public const string UnknownSession = "unknown_session";
    public const string NotParticipant = "not_participant";
    public const string Ended = "ended";
    public const string Expired = "expired";
    public const string Invalid = "invalid";
}

/// <summary>The answer to admit and renew: the session as it is, who is online and how far each side has read.</summary>
public sealed record ChatAdmission(
    string Outcome,
    ChatSessionSnapshot? Session = null,
    IReadOnlyDictionary<string, bool>? Online = null,
    IReadOnlyDictionary<string, long>? ReadUpTo = null);

/// <summary>A participant sends a message; <see cref="ClientId"/> makes retries idempotent.</summary>
public sealed record SendChatMessageRequest(string ParticipantId, string ClientId, string Content);

/// <summary>The stored message's place, or why it was refused. <see cref="Duplicate"/>: this client id was stored before.</summary>
public sealed record SendChatMessageResult(string Outcome, long Sequence = 0, string? MessageId = null, DateTimeOffset? SentAt = null, bool Duplicate = false);

/// <summary>A participant has read everything up to <see cref="UpToSequence"/>.</summary>
public sealed record MarkReadRequest(string ParticipantId, long UpToSequence);

/// <summary>A stored chat message, as chat keeps it in <c>chatstore</c> and serves it to participants, main and summarize.</summary>
public sealed record ChatMessage(
    long Sequence,
    string Id,
    string ClientId,
    string SenderId,
    string SenderRole,
    string Content,
    string Kind,
    DateTimeOffset SentAt);

/// <summary>GET /sessions/{id}/transcript on chat (Dapr invocation from main or summarize only).</summary>
public sealed record ChatTranscript(ChatSessionSnapshot Session, IReadOnlyList<ChatMessage> Messages);

/// <summary>The chat ticket: an ES256 JWT from main (kid in the header) that chat verifies with main's JWKS.</summary>
public static class ChatTickets
{
    public const string Issuer = "main";
    public const string Audience = "chat";
    public const string Algorithm = "ES256";

    /// <summary>Route on main (reachable through Dapr invocation as method <c>.well-known/jwks.json</c>).</summary>
    public const string JwksPath = "/.well-known/jwks.json";

    public static class Claims
    {
        /// <summary>The participant id: the student's pseudonym or the counsellor's account id.</summary>
        public const string Subject = "sub";
        public const string SessionId = "session_id";
        public const string Role = "role";
        public const string Permissions = "permissions";
        public const string Name = "name";
    }

    public static class Permissions
    {
        public const string SendMessage = "send_message";
        public const string ViewHistory = "view_history";
    }
}
