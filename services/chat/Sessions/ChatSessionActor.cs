using Dapr;
using Dapr.Actors.Runtime;
using Dapr.Client;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;

namespace DaprChat.Chat.Sessions;

/// <summary>
/// One chat session, and the single writer of it: membership, sequence numbers, de-duplication of retried sends,
/// presence leases, read cursors, end and expiry. Its data lives in <c>chatstore</c> through the state API with a TTL
/// (actor state has no GA TTL in Dapr 1.16), so the whole chat expires <see cref="ChatOptions.MessageRetention"/>
/// after its last message. Presence is kept in memory: sockets renew their leases, so a moved actor relearns it.
/// </summary>
public sealed partial class ChatSessionActor(ActorHost host, ChatStore store, DaprClient dapr, IOptions<ChatOptions> options, TimeProvider time)
    : Actor(host), IChatSessionActor, IRemindable
{
    private const string ExpireReminder = "expire";
    private const string RetentionReminder = "retention";
    private const string AnswerByReminder = "answer-by";
    private const string PresenceTimer = "presence";

    private readonly PresenceLeases _presence = new(options.Value.PresenceLease, time);
    private SessionRecord? _session;
    private bool _loaded;
    private bool _presenceTimerOn;

    private ChatOptions Options => options.Value;

    private TimeSpan Retention => Options.MessageRetention;

    private string SessionId => Id.GetId();

    public async Task<ChatSessionSnapshot> OpenAsync(OpenChatSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SessionId != SessionId)
        {
            throw new ArgumentException($"The request names session '{request.SessionId}' but this actor is '{SessionId}'", nameof(request));
        }

        if (request.Student.Role != Roles.Student || request.Counselor.Role is not (Roles.Counselor or Roles.Volunteer) || request.Student.Id == request.Counselor.Id)
        {
            throw new ArgumentException("A session is one student and one counsellor or volunteer", nameof(request));
        }

        var existing = await LoadAsync(cancellationToken);
        if (existing is not null)
        {
            // A retried open (main timed out, a second replica) must not reset the session or its clock.
            return existing.StudentPseudonym == request.Student.Id && existing.CounselorId == request.Counselor.Id
                ? existing.ToSnapshot(Retention)
                : throw new InvalidOperationException($"Session '{SessionId}' is already open with other participants");
        }

        var now = time.GetUtcNow();
        var session = new SessionRecord(SessionId, [request.Student, request.Counselor], ChatSessionStates.Open, now, request.ExpiresAt,
            null, null, null, 0, now, now + Retention, new Dictionary<string, long>(), [], request.AnswerBy);
        await store.SaveSessionAsync(session, Retention, cancellationToken);
        _session = session;
        await RegisterReminderAsync(ExpireReminder, [], Later(request.ExpiresAt - now), Timeout.InfiniteTimeSpan);
        if (request.AnswerBy is { } answerBy)
        {
            await RegisterReminderAsync(AnswerByReminder, [], Later(answerBy + Options.AnswerGrace - now), Timeout.InfiniteTimeSpan);
        }

        await RegisterReminderAsync(RetentionReminder, [], Later(session.KeysExpireNotBefore - Options.RetentionRefreshMargin - now), Timeout.InfiniteTimeSpan);
        LogOpened(Logger, SessionId);
        return session.ToSnapshot(Retention);
    }

    public async Task<ChatSessionSnapshot?> GetAsync(CancellationToken cancellationToken = default) =>
        (await LoadAsync(cancellationToken))?.ToSnapshot(Retention);

    /// <summary>
    /// The counsellor accepted the request: from now on the request cannot time out here. Answers the session as it is,
    /// so main sees a session that ended first (timed out, withdrawn) and refuses the join.
    /// </summary>
    public async Task<ChatSessionSnapshot> JoinAsync(CancellationToken cancellationToken = default)
    {
        var session = await LoadAsync(cancellationToken) ?? throw new KeyNotFoundException($"Session '{SessionId}' was never opened or has expired");
        if (session.State != ChatSessionStates.Open || session.JoinedAt is not null)
        {
            return session.ToSnapshot(Retention);
        }

        var now = time.GetUtcNow();
        var joined = session with { JoinedAt = now };
        await store.SaveSessionAsync(joined, joined.RetainedUntil(Retention) - now, cancellationToken);
        _session = joined;
        await UnregisterReminderAsync(AnswerByReminder);
        return joined.ToSnapshot(Retention);
    }

    public async Task<ChatSessionSnapshot> EndAsync(EndChatSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = await LoadAsync(cancellationToken) ?? throw new KeyNotFoundException($"Session '{SessionId}' was never opened or has expired");
        if (session.State == ChatSessionStates.Ended)
        {
            return session.ToSnapshot(Retention);
        }

        var now = time.GetUtcNow();
        // A participant who ends a request nobody has joined withdraws it.
        var reason = request.Reason == ChatEndReasons.Ended && session is { AnswerBy: not null, JoinedAt: null } ? ChatEndReasons.Withdrawn : request.Reason;
        // Nobody read what the student wrote while waiting for an answer that never came: it is not kept.
        var erase = ChatEndReasons.EndsUnansweredRequest(reason);
        if (erase)
        {
            await store.EraseMessagesAsync(SessionId, session.LastSequence, cancellationToken);
        }

        var ended = session with
        {
            State = ChatSessionStates.Ended, EndedAt = now, EndedBy = request.EndedBy, EndReason = reason, MessagesErased = session.MessagesErased || erase,
            RecentSends = erase ? [] : session.RecentSends,
        };
        await store.SaveSessionAsync(ended, ended.RetainedUntil(Retention) - now, cancellationToken);
        _session = ended;
        LogEnded(Logger, SessionId, reason);
        await AnnounceEndAsync(ended, now, cancellationToken);
        if (reason != ChatEndReasons.Expired)
        {
            await UnregisterReminderAsync(ExpireReminder);
        }

        await UnregisterReminderAsync(AnswerByReminder);

        return ended.ToSnapshot(Retention);
    }

    /// <summary>
    /// A participant's socket connects, or renews its lease: only the session's two participants, only while it is
    /// open. The answer tells a renewing socket whether the session still is.
    /// </summary>
    public async Task<ChatAdmission> AdmitAsync(ChatConnectionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (session, refusal) = await UsableAsync(request.ParticipantId, cancellationToken);
        if (session is null)
        {
            return new ChatAdmission(refusal);
        }

        await AddLeaseAsync(request, cancellationToken);
        return Admission(session);
    }

    public async Task LeaveAsync(ChatConnectionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_presence.Release(request.ParticipantId, request.ConnectionId))
        {
            await PublishFanoutAsync(new ChatFanoutEvent(SessionId, ChatFanoutKinds.Presence, time.GetUtcNow(), ParticipantId: request.ParticipantId, Online: false), cancellationToken);
        }
    }

    /// <summary>
    /// Stores a message and answers its sequence number. A retry with a client id this sender used recently is stored
    /// once and answered with the same number. Costs two key writes in one transaction, whatever the chat's length.
    /// </summary>
    public async Task<SendChatMessageResult> SendAsync(SendChatMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (session, refusal) = await UsableAsync(request.ParticipantId, cancellationToken);
        if (session is null)
        {
            return new SendChatMessageResult(refusal);
        }

        if (MessageRules.IsBlank(request.Content) || MessageRules.Length(request.Content) > Options.MaxMessageLength
            || !MessageRules.IsValidClientId(request.ClientId))
        {
            return new SendChatMessageResult(ChatOutcomes.Invalid);
        }

        if (await EarlierSendAsync(session, request, cancellationToken) is { } earlier)
        {
            return new SendChatMessageResult(ChatOutcomes.Ok, earlier.Sequence, earlier.Id, earlier.SentAt, Duplicate: true);
        }

        var now = time.GetUtcNow();
        var sender = session.Participant(request.ParticipantId)!;
        var message = new ChatMessage(session.LastSequence + 1, Guid.NewGuid().ToString("N"), request.ClientId, sender.Id, sender.Role,
            request.Content, "text", now);
        var next = session with
        {
            LastSequence = message.Sequence,
            LastActivityAt = now,
            RecentSends = RecentSends.Append(session.RecentSends, new RecentSend(request.ClientId, message.Sequence), Options.RecentClientIds),
        };
        await store.AppendAsync(next, message, Retention, cancellationToken);
        _session = next;

        // Stored: from here on the send has succeeded; deliveries catch up by sequence number if a publish is lost.
        await PublishFanoutAsync(new ChatFanoutEvent(SessionId, ChatFanoutKinds.Message, now, message.Sequence, sender.Id), cancellationToken);
        var recipient = session.Participants.First(p => p.Id != sender.Id);
        if (!_presence.IsOnline(recipient.Id))
        {
            await PublishAsync(DaprNames.PubSubs.Events, DaprNames.Topics.OfflineMessage, new OfflineMessageEvent(SessionId, recipient.Id, message.Sequence, now), cancellationToken);
        }

        return new SendChatMessageResult(ChatOutcomes.Ok, message.Sequence, message.Id, now);
    }

    /// <summary>A retry of a recent send by the same participant: the stored message it produced, read back by sequence.</summary>
    private async Task<ChatMessage?> EarlierSendAsync(SessionRecord session, SendChatMessageRequest request, CancellationToken cancellationToken)
    {
        foreach (var sequence in RecentSends.Candidates(session.RecentSends, request.ClientId))
        {
            var stored = await store.ReadAsync(SessionId, sequence, sequence, cancellationToken);
            if (stored is [{ } message] && message.SenderId == request.ParticipantId)
            {
                return message;
            }
        }

        return null;
    }

    public async Task<ChatAdmission> MarkReadAsync(MarkReadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (session, refusal) = await UsableAsync(request.ParticipantId, cancellationToken);
        if (session is null)
        {
            return new ChatAdmission(refusal);
        }

        var upTo = Math.Min(request.UpToSequence, session.LastSequence);
        if (upTo > session.ReadUpTo.GetValueOrDefault(request.ParticipantId))
        {
            var now = time.GetUtcNow();
            var next = session with { ReadUpTo = new Dictionary<string, long>(session.ReadUpTo) { [request.ParticipantId] = upTo } };
            await store.SaveSessionAsync(next, next.RetainedUntil(Retention) - now, cancellationToken);
            _session = next;
            await PublishFanoutAsync(new ChatFanoutEvent(SessionId, ChatFanoutKinds.Read, now, ParticipantId: request.ParticipantId, ReadUpTo: upTo), cancellationToken);
        }

        return Admission(_session!);
    }

    /// <summary>Timer callback (found by name by the SDK): drops leases of sockets whose instance stopped renewing them.</summary>
    private async Task SweepPresenceAsync()
    {
        foreach (var participant in _presence.Sweep())
        {
            await PublishFanoutAsync(new ChatFanoutEvent(SessionId, ChatFanoutKinds.Presence, time.GetUtcNow(), ParticipantId: participant, Online: false), CancellationToken.None);
        }

        if (_presenceTimerOn && _presence.IsEmpty)
        {
            _presenceTimerOn = false;
            await UnregisterTimerAsync(PresenceTimer);
        }
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName == ExpireReminder)
        {
            if (await LoadAsync(CancellationToken.None) is { State: ChatSessionStates.Open })
            {
                await EndAsync(new EndChatSessionRequest("system", ChatEndReasons.Expired), CancellationToken.None);
            }
        }
        else if (reminderName == RetentionReminder)
        {
            await KeepOrForgetAsync(CancellationToken.None);
        }
        else if (reminderName == AnswerByReminder)
        {
            // main settles timeouts when someone looks; if nobody does, the request still ends here and its words go.
            if (await LoadAsync(CancellationToken.None) is { State: ChatSessionStates.Open, JoinedAt: null })
            {
                await EndAsync(new EndChatSessionRequest("system", ChatEndReasons.TimedOut), CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Keys are written with the retention as TTL, so older messages would expire before newer ones. Before the
    /// earliest of them expires, re-arm them all to the chat's new end; once a retention passes without a message, let
    /// everything expire and say so.
    /// </summary>
    private async Task KeepOrForgetAsync(CancellationToken cancellationToken)
    {
        var session = await LoadStoredAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (session is null)
        {
            await UnregisterReminderAsync(RetentionReminder);
            return;
        }

        var retainedUntil = session.RetainedUntil(Retention);
        if (now >= retainedUntil - TimeSpan.FromSeconds(1))
        {
            await ForgetAsync(session, now, cancellationToken);
            return;
        }

        if (retainedUntil > session.KeysExpireNotBefore)
        {
            await store.ExtendMessagesAsync(session.SessionId, session.LastSequence, retainedUntil - now, cancellationToken);
            var next = session with { KeysExpireNotBefore = retainedUntil };
            await store.SaveSessionAsync(next, retainedUntil - now, cancellationToken);
            _session = next;
            LogRetentionExtended(Logger, SessionId, session.LastSequence);
            await RegisterReminderAsync(RetentionReminder, [], Later(retainedUntil - Options.RetentionRefreshMargin - now), Timeout.InfiniteTimeSpan);
        }
        else
        {
            // Nothing new since the keys were last re-armed: they all expire at the chat's end; come back then.
            await RegisterReminderAsync(RetentionReminder, [], Later(retainedUntil - now), Timeout.InfiniteTimeSpan);
        }
    }

    private async Task ForgetAsync(SessionRecord session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        LogForgotten(Logger, SessionId);
        _session = null;
        _presence.Clear();
        if (session.State == ChatSessionStates.Open)
        {
            await AnnounceEndAsync(session with { State = ChatSessionStates.Ended, EndedAt = now, EndedBy = "system", EndReason = ChatEndReasons.Expired }, now, cancellationToken);
        }

        await UnregisterReminderAsync(ExpireReminder);
        await UnregisterReminderAsync(RetentionReminder);
        await UnregisterReminderAsync(AnswerByReminder);
        if (_presenceTimerOn)
        {
            _presenceTimerOn = false;
            await UnregisterTimerAsync(PresenceTimer);
        }
    }

    private async Task AnnounceEndAsync(SessionRecord ended, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = ended.EndReason == ChatEndReasons.Expired;
        await PublishFanoutAsync(new ChatFanoutEvent(SessionId, expired ? ChatFanoutKinds.Expired : ChatFanoutKinds.Ended, now,
            ParticipantId: ended.EndedBy, Reason: ended.EndReason, MessagesErased: ended.MessagesErased ? true : null), cancellationToken);
        await PublishAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SessionEnded,
            new SessionEndedEvent(SessionId, ended.EndedBy ?? "system", ended.EndReason ?? "ended", now), cancellationToken);
    }

    /// <summary>The session if this participant may use it now; otherwise why not.</summary>
    private async Task<(SessionRecord? Session, string Refusal)> UsableAsync(string participantId, CancellationToken cancellationToken)
    {
        var session = await LoadAsync(cancellationToken);
        return session is null ? (null, ChatOutcomes.UnknownSession)
            : !session.IsParticipant(participantId) ? (null, ChatOutcomes.NotParticipant)
            : session.State != ChatSessionStates.Open ? (null, session.EndReason == ChatEndReasons.Expired ? ChatOutcomes.Expired : ChatOutcomes.Ended)
            : (session, ChatOutcomes.Ok);
    }

    private async Task<SessionRecord?> LoadAsync(CancellationToken cancellationToken)
    {
        var session = await LoadStoredAsync(cancellationToken);

        // The store forgets the session by TTL even if the actor stayed active; so does the actor.
        return session is not null && time.GetUtcNow() >= session.RetainedUntil(Retention) ? null : session;
    }

    /// <summary>The session as last stored, even past its retention (only the retention reminder needs that).</summary>
    private async Task<SessionRecord?> LoadStoredAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            _session = await store.GetSessionAsync(SessionId, cancellationToken);
            _loaded = true;
        }

        return _session;
    }

    private async Task AddLeaseAsync(ChatConnectionRequest request, CancellationToken cancellationToken)
    {
        var cameOnline = _presence.Renew(request.ParticipantId, request.ConnectionId);
        if (!_presenceTimerOn)
        {
            _presenceTimerOn = true;
            await RegisterTimerAsync(PresenceTimer, nameof(SweepPresenceAsync), null, Options.PresenceLease, Options.PresenceLease / 2);
        }

        if (cameOnline)
        {
            await PublishFanoutAsync(new ChatFanoutEvent(SessionId, ChatFanoutKinds.Presence, time.GetUtcNow(), ParticipantId: request.ParticipantId, Online: true), cancellationToken);
        }
    }

    private ChatAdmission Admission(SessionRecord session)
    {
        return new ChatAdmission(ChatOutcomes.Ok, session.ToSnapshot(Retention),
            session.Participants.ToDictionary(p => p.Id, p => _presence.IsOnline(p.Id)),
            session.Participants.ToDictionary(p => p.Id, p => session.ReadUpTo.GetValueOrDefault(p.Id)));
    }

    private Task PublishFanoutAsync(ChatFanoutEvent fanout, CancellationToken cancellationToken) =>
        PublishAsync(DaprNames.PubSubs.Fanout, DaprNames.Topics.ChatMessage, fanout, cancellationToken);

    private async Task PublishAsync<T>(string pubsub, string topic, T data, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.PublishEventAsync(pubsub, topic, data, cancellationToken);
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            // What was stored stays stored; sockets catch up by sequence number and on resume.
            LogPublishFailed(Logger, ex, topic, SessionId);
        }
    }

    private static TimeSpan Later(TimeSpan due) => due > TimeSpan.Zero ? due : TimeSpan.Zero;

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} opened")]
    private static partial void LogOpened(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} ended ({Reason})")]
    private static partial void LogEnded(ILogger logger, string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: retention re-armed for {Count} messages")]
    private static partial void LogRetentionExtended(ILogger logger, string sessionId, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} reached the end of its retention; its data expires now")]
    private static partial void LogForgotten(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Topic} for session {SessionId} failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string topic, string sessionId);
}
