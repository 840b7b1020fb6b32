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
}

/// <summary>The actor's own view of a session: open until someone ends it or it expires.</summary>
public static class ChatSessionStates
{
    public const string Open = "open";
    public const string Ended = "ended";
}

/// <summary>One side of a chat: the student's per-session pseudonym, or the counsellor's account id.</summary>
public sealed record ChatParticipant(string Id, string Role, string DisplayName);

/// <summary>main → ChatSession "open". Idempotent: the same request for the same session returns the session as it is.</summary>
public sealed record OpenChatSessionRequest(
    string SessionId,
    ChatParticipant Student,
    ChatParticipant Counselor,
    DateTimeOffset ExpiresAt);

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
    string? EndReason);

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
