using DaprChat.Chat.Realtime;
using DaprChat.Chat.Transcripts;
using DaprChat.Contracts;
using DaprChat.ServiceDefaults;

namespace DaprChat.Chat.Sessions;

public static class ChatSessionsRegistration
{
    /// <summary>The ChatSession actor (Dapr.Actors.AspNetCore), its store, and the socket layer that talks to it.</summary>
    public static WebApplicationBuilder AddChatSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>().BindConfiguration("Chat")
            .Validate(o => o.MessageRetention >= TimeSpan.FromSeconds(4), "Chat:MessageRetention must be at least 4 seconds")
            .Validate(o => o.MaxMessageLength > 0 && o.MaxFrameBytes >= 1024 && o.MaxJsonDepth > 1, "Chat limits must be positive")
            .Validate(o => o.PresenceLease >= TimeSpan.FromSeconds(1) && o.IdleTimeout > TimeSpan.Zero, "Chat timings must be positive")
            .Validate(o => o.FramesPerSecond > 0 && o.FrameBurst >= 1 && o.FloodStrikesBeforeClose >= 1, "Chat rate limits must be positive")
            .Validate(o => o.AnswerGrace >= TimeSpan.Zero && o.RecentClientIds >= 1, "Chat:AnswerGrace and Chat:RecentClientIds must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<ChatStore>();
        builder.Services.AddSingleton<ChatSessionClient>();
        builder.Services.AddSingleton<ChatRoomServices>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddActors(o =>
        {
            o.Actors.RegisterActor<ChatSessionActor>(DaprNames.ActorTypes.ChatSession);
            // main's proxy and this host must agree: remoting with JSON bodies, not DataContract binary.
            o.UseJsonSerialization = true;
            o.ActorIdleTimeout = TimeSpan.FromMinutes(30);
        });
        return builder;
    }

    public static WebApplication MapChatSessions(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapActorsHandlers().RequireDaprSidecar(SidecarOnly.AllButHealthProbe);
        app.MapSessionSocket();
        app.MapFanoutApi();
        app.MapDeadLetters(DaprNames.Topics.DeadLetter.Chat, DaprNames.PubSubs.Fanout);
        app.MapTranscriptApi();
        return app;
    }
}
