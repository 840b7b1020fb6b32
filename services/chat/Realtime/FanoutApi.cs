using DaprChat.Contracts;
using DaprChat.ServiceDefaults;

namespace DaprChat.Chat.Realtime;

public static class FanoutApi
{
    /// <summary>Every chat instance subscribes (its own consumer group per instance) and passes events to its own sockets.</summary>
    public static IEndpointConventionBuilder MapFanoutApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/fanout/chat-message", async (ChatFanoutEvent fanout, ConnectionRegistry registry, CancellationToken cancellationToken) =>
            {
                if (string.IsNullOrEmpty(fanout.SessionId) || string.IsNullOrEmpty(fanout.Kind))
                {
                    // Malformed events would fail the same way on every redelivery.
                    return TopicResponse.Drop;
                }

                await registry.DispatchAsync(fanout, cancellationToken);
                return TopicResponse.Success;
            })
            .WithDaprTopic(DaprNames.PubSubs.Fanout, DaprNames.Topics.ChatMessage, DaprNames.Topics.DeadLetter.Chat)
            .ExcludeFromDescription();
}
