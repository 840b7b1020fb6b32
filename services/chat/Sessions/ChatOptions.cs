namespace DaprChat.Chat.Sessions;

/// <summary>Section <c>Chat</c>: retention, limits and timings of the reading room.</summary>
public sealed class ChatOptions
{
    /// <summary>A chat stays readable this long after its last message, then every key of it expires.</summary>
    public TimeSpan MessageRetention { get; set; } = TimeSpan.FromHours(24);

    public int MaxMessageLength { get; set; } = 4000;

    public int MaxFrameBytes { get; set; } = 16 * 1024;

    public int MaxJsonDepth { get; set; } = 16;

    /// <summary>Browser origins allowed to open a socket; requests without an Origin header (native clients) are allowed.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a socket counts as present without renewing; sockets renew at a third of it.</summary>
    public TimeSpan PresenceLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A socket that sends nothing (not even a ping frame) for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>WebSocket ping interval; a peer that does not answer within <see cref="KeepAliveTimeout"/> is dropped.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Per-socket token bucket: sustained frames per second, and the burst above it.</summary>
    public double FramesPerSecond { get; set; } = 5;

    public int FrameBurst { get; set; } = 20;

    /// <summary>Frames refused for flooding before the socket is closed with 1008.</summary>
    public int FloodStrikesBeforeClose { get; set; } = 20;

    /// <summary>
    /// How long after a request's answer-by time the actor waits before ending it as timed out (and erasing what the
    /// student wrote) if main has not: room for a counsellor's join that main accepted just in time.
    /// </summary>
    public TimeSpan AnswerGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many recent client message ids per session are remembered to make retried sends idempotent.</summary>
    public int RecentClientIds { get; set; } = 64;

    /// <summary>How far ahead of the earliest key expiry the actor re-arms the TTLs of older messages.</summary>
    public TimeSpan RetentionRefreshMargin => MessageRetention >= TimeSpan.FromHours(4)
        ? TimeSpan.FromHours(1)
        : TimeSpan.FromTicks(MessageRetention.Ticks / 4);
}
