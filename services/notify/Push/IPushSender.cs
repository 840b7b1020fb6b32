using DaprChat.Contracts;

namespace DaprChat.Notify.Push;

/// <summary>Sends one push to one device token.</summary>
public interface IPushSender
{
    Task<PushOutcome> SendAsync(PushDevice device, PushContent content, string recipientKind, CancellationToken cancellationToken);
}

/// <summary>With no FCM configured (the embedded default of <c>up</c>): records that a push would go out, never what it says.</summary>
public sealed partial class LogOnlyPushSender(ILogger<LogOnlyPushSender> logger) : IPushSender
{
    public Task<PushOutcome> SendAsync(PushDevice device, PushContent content, string recipientKind, CancellationToken cancellationToken)
    {
        LogWouldPush(recipientKind, content.SessionId, device.Platform);
        return Task.FromResult(PushOutcome.Sent);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push (log only, no FCM configured): {RecipientKind} in session {SessionId}, {Platform} device")]
    private partial void LogWouldPush(string recipientKind, string sessionId, string platform);
}
