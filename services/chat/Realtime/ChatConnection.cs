using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using DaprChat.Chat.Sessions;
using DaprChat.Chat.Tickets;
using DaprChat.Contracts;
using Dapr;

namespace DaprChat.Chat.Realtime;

/// <summary>
/// One participant's socket. Frames from the client are handled one at a time, in order; everything to the client
/// goes through one outbox and one send loop. Messages reach the client in sequence order, each once: a delivery
/// fills any gap from the store first, so fan-out order and lost fan-out events do not matter.
/// </summary>
public sealed partial class ChatConnection(
    WebSocket socket,
    ChatTicket ticket,
    ChatAdmission admission,
    IChatSessionActor room,
    ChatRoomServices services,
    ILogger logger,
    string connectionId) : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Channel<Outgoing> _outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(1024) { SingleReader = true });
    private readonly SemaphoreSlim _deliveryGate = new(1, 1);
    private readonly TokenBucket _bucket = new(services.Options.FramesPerSecond, services.Options.FrameBurst, services.Time);
    private long _delivered = admission.Session!.LastSequence;
    private long _lastClientActivity = services.Time.GetTimestamp();
    private DateTimeOffset _lastTypingSent;
    private int _floodStrikes;
    private int _closing;

    /// <summary>The id the actor knows this socket's presence lease by.</summary>
    public string Id => connectionId;

    public string SessionId => ticket.SessionId;

    public string ParticipantId => ticket.ParticipantId;

    private ChatOptions Options => services.Options;

    private ChatConnectionRequest Me => new(ParticipantId, Id);

    public async Task RunAsync(CancellationToken stopping)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var sender = SendLoopAsync();
        var upkeep = UpkeepLoopAsync(done.Token);
        using var onStopping = stopping.Register(() => Close(WebSocketCloseStatus.EndpointUnavailable, "server restarting; reconnect and resume"));
        try
        {
            Enqueue(Welcome(admission));
            await ReceiveLoopAsync();
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The peer vanished or the socket was aborted; nothing to answer.
        }
        finally
        {
            await done.CancelAsync();
            _outbox.Writer.TryComplete();
            await Task.WhenAll(sender, upkeep).ConfigureAwait(false);
            try
            {
                using var leave = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await room.LeaveAsync(Me, leave.Token);
            }
            catch (Exception ex) when (ex is DaprException or HttpRequestException or OperationCanceledException)
            {
                // The lease lapses on its own.
            }
        }
    }

    public void Dispose() => _deliveryGate.Dispose();

    /// <summary>A fan-out event for this connection's session.</summary>
    public async Task OnFanoutAsync(ChatFanoutEvent fanout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fanout);
        try
        {
            await ApplyFanoutAsync(fanout, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // The socket closed while the event was on its way.
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            // This socket catches up with the next message or its next resume; others are not held back.
            LogFrameFailed(logger, ex, SessionId, "fanout " + fanout.Kind);
        }
    }

    private async Task ApplyFanoutAsync(ChatFanoutEvent fanout, CancellationToken cancellationToken)
    {
        switch (fanout.Kind)
        {
            case ChatFanoutKinds.Message when fanout.Sequence is { } seq:
                await DeliverUpToAsync(seq, cancellationToken);
                break;
            case ChatFanoutKinds.Typing when fanout.ParticipantId != ParticipantId && fanout.ParticipantId is not null:
                Enqueue(new TypingFrame(fanout.ParticipantId, fanout.IsTyping ?? false));
                break;
            case ChatFanoutKinds.Read when fanout is { ParticipantId: not null, ReadUpTo: { } upTo }:
                Enqueue(new ReadFrame(fanout.ParticipantId, upTo));
                break;
            case ChatFanoutKinds.Presence when fanout.ParticipantId != ParticipantId && fanout.ParticipantId is not null:
                Enqueue(new PresenceFrame(fanout.ParticipantId, fanout.Online ?? false));
                break;
            case ChatFanoutKinds.Ended:
                Enqueue(new SessionEndedFrame(fanout.ParticipantId, fanout.Reason, fanout.MessagesErased));
                Close(WebSocketCloseStatus.NormalClosure, "session ended");
                break;
            case ChatFanoutKinds.Expired:
                Enqueue(new SessionExpiredFrame(fanout.Reason ?? ChatEndReasons.Expired));
                Close((WebSocketCloseStatus)CloseCodes.SessionExpired, "session expired");
                break;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[Options.MaxFrameBytes];
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    Close(WebSocketCloseStatus.MessageTooBig, $"frames are limited to {Options.MaxFrameBytes} bytes");
                    await DrainUntilClosedAsync(buffer);
                    return;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            Interlocked.Exchange(ref _lastClientActivity, services.Time.GetTimestamp());
            if (result.MessageType == WebSocketMessageType.Close)
            {
                Close(WebSocketCloseStatus.NormalClosure, "bye");
                return;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                Close(WebSocketCloseStatus.InvalidMessageType, "only JSON text frames are accepted");
                await DrainUntilClosedAsync(buffer);
                return;
            }

            if (!IsUtf8(buffer.AsSpan(0, length)))
            {
                Close(WebSocketCloseStatus.InvalidPayloadData, "frames must be valid UTF-8");
                await DrainUntilClosedAsync(buffer);
                return;
            }

            if (!_bucket.TryTake())
            {
                if (++_floodStrikes >= Options.FloodStrikesBeforeClose)
                {
                    Close(WebSocketCloseStatus.PolicyViolation, "too many frames");
                    await DrainUntilClosedAsync(buffer);
                    return;
                }

                Enqueue(new ErrorFrame(ErrorCodes.RateLimited, "Too many frames; slow down", Retryable: true));
                continue;
            }

            var (frame, error) = ClientFrame.Parse(buffer.AsMemory(0, length).ToArray(), Options.MaxJsonDepth, Options.MaxMessageLength);
            if (error is not null)
            {
                Enqueue(error);
                continue;
            }

            await HandleAsync(frame!);
        }
    }

    private async Task HandleAsync(ClientFrame frame)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            switch (frame)
            {
                case SendRequest send:
                    await SendAsync(send, timeout.Token);
                    break;
                case TypingRequest typing:
                    await TypingAsync(typing, timeout.Token);
                    break;
                case ReadRequest read:
                    Settle((await room.MarkReadAsync(new MarkReadRequest(ParticipantId, read.UpToSeq), timeout.Token)).Outcome);
                    break;
                case ResumeRequest resume when ticket.Permissions.Contains(ChatTickets.Permissions.ViewHistory):
                    await ResumeAsync(resume.AfterSeq, timeout.Token);
                    break;
                case ResumeRequest:
                    Enqueue(new ErrorFrame(ErrorCodes.Forbidden, "This ticket does not allow reading the history"));
                    break;
                case EndRequest:
                    await room.EndAsync(new EndChatSessionRequest(ParticipantId, ChatEndReasons.Ended), timeout.Token);
                    break;
                case PingRequest ping:
                    Enqueue(new PongFrame(ping.Id));
                    break;
            }
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException or OperationCanceledException)
        {
            LogFrameFailed(logger, ex, SessionId, frame.GetType().Name);
            Enqueue(new ErrorFrame(ErrorCodes.Unavailable, "The chat could not do that just now; try again", (frame as SendRequest)?.ClientId, Retryable: true));
        }
    }

    private async Task SendAsync(SendRequest send, CancellationToken cancellationToken)
    {
        if (!ticket.Permissions.Contains(ChatTickets.Permissions.SendMessage))
        {
            Enqueue(new ErrorFrame(ErrorCodes.Forbidden, "This ticket does not allow sending", send.ClientId));
            return;
        }

        var result = await room.SendAsync(new SendChatMessageRequest(ParticipantId, send.ClientId, send.Content), cancellationToken);
        if (result.Outcome == ChatOutcomes.Ok)
        {
            // Acknowledged only now: the actor answers after the message is stored.
            Enqueue(new AckFrame(send.ClientId, result.Sequence, result.MessageId!, result.SentAt!.Value, result.Duplicate));
            await DeliverUpToAsync(result.Sequence, cancellationToken);
        }
        else if (result.Outcome == ChatOutcomes.Invalid)
        {
            Enqueue(new ErrorFrame(ErrorCodes.BadFrame, "The message was refused", send.ClientId));
        }
        else
        {
            Settle(result.Outcome, send.ClientId);
        }
    }

    private async Task TypingAsync(TypingRequest typing, CancellationToken cancellationToken)
    {
        // At most one "typing" a second per socket reaches the other side; "stopped typing" always does.
        var now = services.Time.GetUtcNow();
        if (typing.IsTyping && now - _lastTypingSent < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _lastTypingSent = typing.IsTyping ? now : default;
        await services.Dapr.PublishEventAsync(DaprNames.PubSubs.Fanout, DaprNames.Topics.ChatMessage,
            new ChatFanoutEvent(SessionId, ChatFanoutKinds.Typing, now, ParticipantId: ParticipantId, IsTyping: typing.IsTyping), cancellationToken: cancellationToken);
    }

    /// <summary>Sends everything after <paramref name="afterSeq"/> the store has, in order, then live delivery continues from there.</summary>
    private async Task ResumeAsync(long afterSeq, CancellationToken cancellationToken)
    {
        await _deliveryGate.WaitAsync(cancellationToken);
        try
        {
            var session = await services.Store.GetSessionAsync(SessionId, cancellationToken);
            var last = session?.LastSequence ?? _delivered;
            _delivered = Math.Min(afterSeq, last);
            await DeliverLockedAsync(last, cancellationToken);
            Enqueue(new ResumedFrame(afterSeq, last));
        }
        finally
        {
            _deliveryGate.Release();
        }
    }

    private async Task DeliverUpToAsync(long sequence, CancellationToken cancellationToken)
    {
        if (Interlocked.Read(ref _delivered) >= sequence)
        {
            return;
        }

        await _deliveryGate.WaitAsync(cancellationToken);
        try
        {
            await DeliverLockedAsync(sequence, cancellationToken);
        }
        finally
        {
            _deliveryGate.Release();
        }
    }

    private async Task DeliverLockedAsync(long upTo, CancellationToken cancellationToken)
    {
        if (upTo <= _delivered)
        {
            return;
        }

        foreach (var m in await services.Store.ReadAsync(SessionId, _delivered + 1, upTo, cancellationToken))
        {
            Enqueue(new MessageFrame(m.Sequence, m.Id, m.ClientId, m.SenderId, m.SenderRole, m.Content, m.Kind, m.SentAt));
        }

        Interlocked.Exchange(ref _delivered, upTo);
    }

    /// <summary>An outcome other than ok from the actor means this socket can no longer use the session.</summary>
    private void Settle(string outcome, string? clientId = null)
    {
        switch (outcome)
        {
            case ChatOutcomes.Ok:
                return;
            case ChatOutcomes.Ended:
                Enqueue(new SessionEndedFrame(null, "ended"));
                Close(WebSocketCloseStatus.NormalClosure, "session ended");
                return;
            case ChatOutcomes.Expired or ChatOutcomes.UnknownSession:
                Enqueue(new SessionExpiredFrame(ChatEndReasons.Expired));
                Close((WebSocketCloseStatus)CloseCodes.SessionExpired, "session expired");
                return;
            default:
                Enqueue(new ErrorFrame(ErrorCodes.SessionClosed, "You are no longer admitted to this session", clientId));
                Close((WebSocketCloseStatus)CloseCodes.NotAdmitted, "not admitted");
                return;
        }
    }

    /// <summary>Renews the presence lease and closes sockets that have gone quiet.</summary>
    private async Task UpkeepLoopAsync(CancellationToken cancellationToken)
    {
        var renewEvery = Options.PresenceLease / 3;
        var tick = TimeSpan.FromTicks(Math.Min(renewEvery.Ticks, Math.Max(TimeSpan.FromMilliseconds(200).Ticks, Options.IdleTimeout.Ticks / 4)));
        var lastRenew = services.Time.GetTimestamp();
        using var timer = new PeriodicTimer(tick, services.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (services.Time.GetElapsedTime(Interlocked.Read(ref _lastClientActivity)) >= Options.IdleTimeout)
                {
                    Close(WebSocketCloseStatus.NormalClosure, "idle");
                    return;
                }

                if (services.Time.GetElapsedTime(lastRenew) < renewEvery)
                {
                    continue;
                }

                lastRenew = services.Time.GetTimestamp();
                try
                {
                    Settle((await room.AdmitAsync(Me, cancellationToken)).Outcome);
                }
                catch (Exception ex) when (ex is DaprException or HttpRequestException)
                {
                    LogRenewFailed(logger, ex, SessionId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var item in _outbox.Reader.ReadAllAsync())
            {
                if (item.Close is { } status)
                {
                    if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        await socket.CloseOutputAsync(status, item.Reason, closeTimeout.Token);
                    }

                    return;
                }

                var bytes = JsonSerializer.SerializeToUtf8Bytes(item.Frame!, item.Frame!.GetType(), Protocol.Json);
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    private void Enqueue(ServerFrame frame)
    {
        if (Volatile.Read(ref _closing) == 0 && !_outbox.Writer.TryWrite(new Outgoing(frame, null, null)))
        {
            // A client that cannot keep up with 1,024 frames is dropped; it reconnects and resumes.
            Close(WebSocketCloseStatus.PolicyViolation, "client too slow");
        }
    }

    private void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            // Bypasses the bound: the close must be queued even when the outbox is full.
            if (!_outbox.Writer.TryWrite(new Outgoing(null, status, reason)))
            {
                socket.Abort();
            }

            _outbox.Writer.TryComplete();
        }
    }

    /// <summary>After a close for bad input, reads (and ignores) until the client answers the close, or gives up.</summary>
    private async Task DrainUntilClosedAsync(byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
        }
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private WelcomeFrame Welcome(ChatAdmission admitted)
    {
        var session = admitted.Session!;
        var participants = session.Participants.Select(p => new ParticipantView(p.Id, p.Role, p.DisplayName)).ToList();
        return new WelcomeFrame(SessionId, participants.First(p => p.Id == ParticipantId), participants, session.State, session.LastSequence,
            admitted.Online ?? new Dictionary<string, bool>(), admitted.ReadUpTo ?? new Dictionary<string, long>(), session.ExpiresAt,
            session.RetainedUntil, (int)Options.MessageRetention.TotalSeconds, Options.MaxMessageLength);
    }

    private sealed record Outgoing(ServerFrame? Frame, WebSocketCloseStatus? Close, string? Reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: handling a {Frame} frame failed")]
    private static partial void LogFrameFailed(ILogger logger, Exception exception, string sessionId, string frame);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: renewing presence failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string sessionId);
}
