using DaprChat.Chat.Realtime;
using DaprChat.Chat.Transcripts;
using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Dapr.Actors;

namespace DaprChat.Chat.Sessions;

public static class ChatSessionsRegistration
{
    /// <summary>The ChatSession actor, its store, and the socket layer that talks to it.</summary>
    public static WebApplicationBuilder AddChatSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>().BindConfiguration("Chat")
            .Validate(o => o.MessageRetention >= TimeSpan.FromSeconds(4), "Chat:MessageRetention must be at least 4 seconds")
            .Validate(o => o.MaxMessageLength > 0 && o.MaxFrameBytes >= 1024 && o.MaxJsonDepth > 1, "Chat limits must be positive")
            .Validate(o => o.PresenceLease >= TimeSpan.FromSeconds(1) && o.IdleTimeout > TimeSpan.Zero, "Chat timings must be positive")
            .Validate(o => o.FramesPerSecond > 0 && o.FrameBurst >= 1 && o.FloodStrikesBeforeClose >= 1, "Chat rate limits must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<ChatStore>();
        builder.Services.AddSingleton<ChatSessionClient>();
        builder.Services.AddSingleton<ChatRoomServices>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddActors(o =>
        {
            o.RegisterActor<ChatSessionActor>(DaprNames.ActorTypes.ChatSession, m => m
                .Map<OpenChatSessionRequest, ChatSessionSnapshot>(ChatSessionMethods.Open, (a, r, ct) => a.OpenAsync(r, ct))
                .Map<ChatSessionSnapshot?>(ChatSessionMethods.Get, (a, ct) => a.GetAsync(ct))
                .Map<EndChatSessionRequest, ChatSessionSnapshot>(ChatSessionMethods.End, (a, r, ct) => a.EndAsync(r, ct))
                .Map<ChatSessionSnapshot>(ChatSessionMethods.Join, (a, ct) => a.JoinAsync(ct))
                .Map<ChatConnectionRequest, ChatAdmission>(ChatSessionMethods.Admit, (a, r, ct) => a.AdmitAsync(r, ct))
                .Map<ChatConnectionRequest, ChatAdmission>(ChatSessionMethods.Renew, (a, r, ct) => a.AdmitAsync(r, ct))
                .Map<ChatConnectionRequest>(ChatSessionMethods.Leave, (a, r, ct) => a.LeaveAsync(r, ct))
                .Map<SendChatMessageRequest, SendChatMessageResult>(ChatSessionMethods.Send, (a, r, ct) => a.SendAsync(r, ct))
                .Map<MarkReadRequest, ChatAdmission>(ChatSessionMethods.MarkRead, (a, r, ct) => a.MarkReadAsync(r, ct))
                .Map(ChatSessionActor.PresenceSweep, (a, ct) => a.SweepPresenceAsync(ct)));
            o.ActorIdleTimeout = TimeSpan.FromMinutes(30);
        });
        return builder;
    }

    public static WebApplication MapChatSessions(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapActorsHandlers();
        app.MapSessionSocket();
        app.MapFanoutApi();
        app.MapTranscriptApi();
        return app;
    }
}
