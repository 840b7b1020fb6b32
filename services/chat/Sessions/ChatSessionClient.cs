using DaprChat.Contracts;
using DaprChat.Dapr;

namespace DaprChat.Chat.Sessions;

/// <summary>The <c>ChatSession</c> actor as chat's socket layer calls it: through the sidecar, wherever placement put it.</summary>
public sealed class ChatSessionClient(DaprClient dapr)
{
    public Task<ChatAdmission> AdmitAsync(string sessionId, ChatConnectionRequest request, CancellationToken cancellationToken) =>
        Call<ChatConnectionRequest, ChatAdmission>(sessionId, ChatSessionMethods.Admit, request, cancellationToken);

    public Task<ChatAdmission> RenewAsync(string sessionId, ChatConnectionRequest request, CancellationToken cancellationToken) =>
        Call<ChatConnectionRequest, ChatAdmission>(sessionId, ChatSessionMethods.Renew, request, cancellationToken);

    public Task LeaveAsync(string sessionId, ChatConnectionRequest request, CancellationToken cancellationToken) =>
        dapr.InvokeActorMethodAsync(DaprNames.ActorTypes.ChatSession, sessionId, ChatSessionMethods.Leave, request, cancellationToken);

    public Task<SendChatMessageResult> SendAsync(string sessionId, SendChatMessageRequest request, CancellationToken cancellationToken) =>
        Call<SendChatMessageRequest, SendChatMessageResult>(sessionId, ChatSessionMethods.Send, request, cancellationToken);

    public Task<ChatAdmission> MarkReadAsync(string sessionId, MarkReadRequest request, CancellationToken cancellationToken) =>
        Call<MarkReadRequest, ChatAdmission>(sessionId, ChatSessionMethods.MarkRead, request, cancellationToken);

    public Task<ChatSessionSnapshot> EndAsync(string sessionId, EndChatSessionRequest request, CancellationToken cancellationToken) =>
        Call<EndChatSessionRequest, ChatSessionSnapshot>(sessionId, ChatSessionMethods.End, request, cancellationToken);

    private Task<TResponse> Call<TRequest, TResponse>(string sessionId, string method, TRequest request, CancellationToken cancellationToken) =>
        dapr.InvokeActorMethodAsync<TRequest, TResponse>(DaprNames.ActorTypes.ChatSession, sessionId, method, request, cancellationToken);
}
