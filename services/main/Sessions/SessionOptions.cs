namespace DaprChat.Main.Sessions;

/// <summary>Section <c>Sessions</c>; the chat URL comes from <c>CHAT_SERVICE_URL</c>.</summary>
public sealed class SessionOptions
{
    /// <summary>How long a request waits for the counsellor to join before it times out.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest a session stays open; tickets never outlive it.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(8);

    public int StudentMaxOpenChats { get; set; } = 2;

    public string ChatServiceUrl { get; set; } = "ws://localhost:5081";

    public string ChatUrl(string sessionId) => $"{ChatServiceUrl.TrimEnd('/')}/session/{Uri.EscapeDataString(sessionId)}";
}
