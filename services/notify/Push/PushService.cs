using DaprChat.Contracts;
using Microsoft.Extensions.Options;

namespace DaprChat.Notify.Push;

/// <summary>Whether a push went out, was not needed, or must be retried later (FCM unavailable).</summary>
public enum PushDispatch
{
    Sent,
    Quiet,
    NoDevices,
    RetryLater,
}

/// <summary>One push per recipient and session per quiet period, to every device main knows; dead tokens are removed in main.</summary>
public sealed partial class PushService(QuietPeriod quiet, IRecipientDevices devices, IPushSender sender, IOptions<PushOptions> options, ILogger<PushService> logger)
{
    public Task<PushDispatch> NewMessageAsync(OfflineMessageEvent message, CancellationToken cancellationToken)
    {
        var kind = RecipientKinds.Of(message.RecipientId);
        var screen = kind == RecipientKinds.Student ? PushScreens.Chat : PushScreens.Desk;
        return PushAsync(kind, message.RecipientId, message.SessionId, screen, options.Value.Body, cancellationToken);
    }

    public Task<PushDispatch> NewRequestAsync(SessionRequestedEvent requested, CancellationToken cancellationToken) =>
        PushAsync(RecipientKinds.Counselor, requested.CounselorId, requested.SessionId, PushScreens.Desk, options.Value.RequestBody, cancellationToken);

    private async Task<PushDispatch> PushAsync(string kind, string recipientId, string sessionId, string screen, string body, CancellationToken cancellationToken)
    {
        if (!await quiet.TryClaimAsync(sessionId, recipientId, cancellationToken))
        {
            return PushDispatch.Quiet;
        }

        // Once claimed, the push is this delivery's to finish even if the sidecar stops waiting (a redelivery now finds
        // the claim and acks); the FCM client's own timeouts bound it.
        cancellationToken = CancellationToken.None;

        IReadOnlyList<PushDevice> targets;
        try
        {
            targets = await devices.GetAsync(kind, recipientId, cancellationToken);
        }
        catch
        {
            await quiet.ReleaseAsync(sessionId, recipientId, CancellationToken.None);
            throw;
        }

        LogDevices(kind, sessionId, targets.Count);
        if (targets.Count == 0)
        {
            return PushDispatch.NoDevices;
        }

        var o = options.Value;
        var content = new PushContent(screen, sessionId, o.Title, body, o.TimeToLive);
        var sent = false;
        var unavailable = false;
        foreach (var device in targets)
        {
            switch (await sender.SendAsync(device, content, kind, cancellationToken))
            {
                case PushOutcome.Sent:
                    sent = true;
                    break;
                case PushOutcome.TokenDead:
                    await devices.RemoveAsync(kind, recipientId, device.Id, cancellationToken);
                    LogTokenRemoved(kind, sessionId, device.Platform);
                    break;
                case PushOutcome.Unavailable:
                    unavailable = true;
                    break;
                default:
                    break;
            }
        }

        if (unavailable && !sent)
        {
            // Nothing reached the recipient: free the claim so the redelivered event pushes once FCM is back.
            await quiet.ReleaseAsync(sessionId, recipientId, CancellationToken.None);
            return PushDispatch.RetryLater;
        }

        return PushDispatch.Sent;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push for {RecipientKind} in session {SessionId}: {DeviceCount} devices")]
    private partial void LogDevices(string recipientKind, string sessionId, int deviceCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed a dead {Platform} token of a {RecipientKind} (session {SessionId})")]
    private partial void LogTokenRemoved(string recipientKind, string sessionId, string platform);
}
