using Dapr.Actors;
using Dapr.Actors.Client;
using DaprChat.Contracts;

namespace DaprChat.Chat.Sessions;

/// <summary>The <c>ChatSession</c> actor as chat's socket layer calls it: the SDK's typed proxy, through the sidecar, wherever placement put it.</summary>
public sealed class ChatSessionClient(IActorProxyFactory proxies)
{
    public IChatSessionActor For(string sessionId) =>
        proxies.CreateActorProxy<IChatSessionActor>(new ActorId(sessionId), DaprNames.ActorTypes.ChatSession);
}
