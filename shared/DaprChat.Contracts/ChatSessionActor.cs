using Dapr.Actors;

namespace DaprChat.Contracts;

/// <summary>
/// The <see cref="DaprNames.ActorTypes.ChatSession"/> actor, hosted by chat and called through the SDK's typed proxy by
/// main and by chat's socket layer. Calls travel as the SDK's remoting format with JSON serialisation
/// (<c>UseJsonSerialization = true</c> on both sides); method names on the wire are these C# names.
/// Add methods; never rename or remove one (the other app may lag a release).
/// </summary>
public interface IChatSessionActor : IActor
{
    /// <summary>main: opens the session. Idempotent for the same participants; other participants throw.</summary>
    Task<ChatSessionSnapshot> OpenAsync(OpenChatSessionRequest request, CancellationToken cancellationToken = default);

    Task<ChatSessionSnapshot?> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>main: the counsellor accepted the request, before main records it; answers the room as it is.</summary>
    Task<ChatSessionSnapshot> JoinAsync(CancellationToken cancellationToken = default);

    /// <summary>main or chat: ends the session; ending an ended session changes nothing.</summary>
    Task<ChatSessionSnapshot> EndAsync(EndChatSessionRequest request, CancellationToken cancellationToken = default);

    /// <summary>chat: a participant's socket connects or renews its presence lease.</summary>
    Task<ChatAdmission> AdmitAsync(ChatConnectionRequest request, CancellationToken cancellationToken = default);

    /// <summary>chat: the socket closed.</summary>
    Task LeaveAsync(ChatConnectionRequest request, CancellationToken cancellationToken = default);

    Task<SendChatMessageResult> SendAsync(SendChatMessageRequest request, CancellationToken cancellationToken = default);

    Task<ChatAdmission> MarkReadAsync(MarkReadRequest request, CancellationToken cancellationToken = default);
}
