using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Dapr.Actors;

namespace DaprChat.Chat.Sessions;

public static class ChatSessionsRegistration
{
    public static WebApplicationBuilder AddChatSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddActors(o =>
        {
            o.RegisterActor<ChatSessionActor>(DaprNames.ActorTypes.ChatSession, m => m
                .Map<OpenChatSessionRequest, ChatSessionSnapshot>(ChatSessionMethods.Open, (a, r, ct) => a.OpenAsync(r, ct))
                .Map<ChatSessionSnapshot?>(ChatSessionMethods.Get, (a, ct) => a.GetAsync(ct))
                .Map<EndChatSessionRequest, ChatSessionSnapshot>(ChatSessionMethods.End, (a, r, ct) => a.EndAsync(r, ct)));
            o.ActorIdleTimeout = TimeSpan.FromMinutes(30);
        });
        return builder;
    }

    public static WebApplication MapChatSessions(this WebApplication app)
    {
        app.MapActorsHandlers();
        return app;
    }
}
