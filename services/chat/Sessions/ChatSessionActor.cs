using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Dapr.Actors;
using Microsoft.Extensions.Options;

namespace DaprChat.Chat.Sessions;

/// <summary>
/// One chat session, and the single writer of it: membership, sequence numbers, de-duplication of retried sends,
/// presence leases, read cursors, end and expiry. Its data lives in <c>chatstore</c> through the state API with a TTL
/// (actor state has no GA TTL in Dapr 1.16), so the whole chat expires <see cref="ChatOptions.MessageRetention"/>
/// after its last message. Presence is kept in memory: sockets renew their leases, so a moved actor relearns it.
/// </summary>
public sealed partial class ChatSessionActor(ActorHost host, ChatStore store, IOptions<ChatOptions> options, TimeProvider time)
    : Actor(host), IRemindable
{
    public const string PresenceSweep = "presence-sweep";
    private const string ExpireReminder = "expire";
    private const string RetentionReminder = "retention";
    private const string AnswerByReminder = "answer-by";
    private const string PresenceTimer = "presence";

    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _leases = new(StringComparer.Ordinal);
    private SessionRecord? _session;
    private bool _loaded;
    private bool _presenceTimerOn;

    private ChatOptions Options => options.Value;

    private TimeSpan Retention => Options.MessageRetention;

    public async Task<ChatSessionSnapshot> OpenAsync(OpenChatSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SessionId != Id.Id)
        {
            throw new ArgumentException($"The request names session '{request.SessionId}' but this actor is '{Id.Id}'", nameof(request));
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
                : throw new InvalidOperationException($"Session '{Id.Id}' is already open with other participants");
        }

        var now = time.GetUtcNow();
        var session = new SessionRecord(Id.Id, [request.Student, request.Counselor], ChatSessionStates.Open, now, request.ExpiresAt,
            null, null, null, 0, now, now + Retention, new Dictionary<string, long>(), [], request.AnswerBy);
        await store.SaveSessionAsync(session, Retention, cancellationToken);
        _session = session;
        await RegisterReminderAsync(ExpireReminder, new { }, Later(request.ExpiresAt - now), Timeout.InfiniteTimeSpan);
        if (request.AnswerBy is { } answerBy)
        {
            await RegisterReminderAsync(AnswerByReminder, new { }, Later(answerBy + Options.AnswerGrace - now), Timeout.InfiniteTimeSpan);
        }

        await RegisterReminderAsync(RetentionReminder, new { }, Later(session.KeysExpireNotBefore - Options.RetentionRefreshMargin - now), Timeout.InfiniteTimeSpan);
        LogOpened(Logger, Id.Id);
        return session.ToSnapshot(Retention);
    }

    public async Task<ChatSessionSnapshot?> GetAsync(CancellationToken cancellationToken) =>
        (await LoadAsync(cancellationToken))?.ToSnapshot(Retention);

    /// <summary>
    /// The counsellor accepted the request: from now on the request cannot time out here. Answers the session as it is,
    /// so main sees a session that ended first (timed out, withdrawn) and refuses the join.
    /// </summary>
    public async Task<ChatSessionSnapshot> JoinAsync(CancellationToken cancellationToken)
    {
        var session = await LoadAsync(cancellationToken) ?? throw new KeyNotFoundException($"Session '{Id.Id}' was never opened or has expired");
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

    public async Task<ChatSessionSnapshot> EndAsync(EndChatSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = await LoadAsync(cancellationToken) ?? throw new KeyNotFoundException($"Session '{Id.Id}' was never opened or has expired");
        if (session.State == ChatSessionStates.Ended)
        {
            return session.ToSnapshot(Retention);
        }

        var now = time.GetUtcNow();
        // Nobody read what the student wrote while waiting for an answer that never came: it is not kept.
        var erase = ChatEndReasons.EndsUnansweredRequest(request.Reason);
        if (erase)
        {
            await store.EraseMessagesAsync(Id.Id, session.LastSequence, cancellationToken);
        }

        var ended = session with
        {
            State = ChatSessionStates.Ended, EndedAt = now, EndedBy = request.EndedBy, EndReason = request.Reason, MessagesErased = session.MessagesErased || erase,
            RecentSends = erase ? [] : session.RecentSends,
        };
        await store.SaveSessionAsync(ended, ended.RetainedUntil(Retention) - now, cancellationToken);
        _session = ended;
        LogEnded(Logger, Id.Id, request.Reason);
        await AnnounceEndAsync(ended, now, cancellationToken);
        if (request.Reason != ChatEndReasons.Expired)
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
    public async Task<ChatAdmission> AdmitAsync(ChatConnectionRequest request, CancellationToken cancellationToken)
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

    public async Task LeaveAsync(ChatConnectionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_leases.TryGetValue(request.ParticipantId, out var leases) && leases.Remove(request.ConnectionId) && !IsOnline(request.ParticipantId, time.GetUtcNow()))
        {
            await PublishFanoutAsync(new ChatFanoutEvent(Id.Id, ChatFanoutKinds.Presence, time.GetUtcNow(), ParticipantId: request.ParticipantId, Online: false), cancellationToken);
        }
    }

    /// <summary>
    /// Stores a message and answers its sequence number. A retry with a client id this sender used recently is stored
    /// once and answered with the same number. Costs two key writes in one transaction, whatever the chat's length.
    /// </summary>
    public async Task<SendChatMessageResult> SendAsync(SendChatMessageRequest request, CancellationToken cancellationToken)
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
        var recent = session.RecentSends.Count >= Options.RecentClientIds ? session.RecentSends.Skip(session.RecentSends.Count - Options.RecentClientIds + 1) : session.RecentSends;
        var next = session with
        {
            LastSequence = message.Sequence,
            LastActivityAt = now,
            RecentSends = [.. recent, new RecentSend(request.ClientId, message.Sequence)],
        };
        await store.AppendAsync(next, message, Retention, cancellationToken);
        _session = next;

        // Stored: from here on the send has succeeded; deliveries catch up by sequence number if a publish is lost.
        await PublishFanoutAsync(new ChatFanoutEvent(Id.Id, ChatFanoutKinds.Message, now, message.Sequence, sender.Id), cancellationToken);
        var recipient = session.Participants.First(p => p.Id != sender.Id);
        if (!IsOnline(recipient.Id, now))
        {
            await PublishAsync(DaprNames.PubSubs.Events, DaprNames.Topics.OfflineMessage, new OfflineMessageEvent(Id.Id, recipient.Id, message.Sequence, now), cancellationToken);
        }

        return new SendChatMessageResult(ChatOutcomes.Ok, message.Sequence, message.Id, now);
    }

    /// <summary>A retry of a recent send by the same participant: the stored message it produced, read back by sequence.</summary>
    private async Task<ChatMessage?> EarlierSendAsync(SessionRecord session, SendChatMessageRequest request, CancellationToken cancellationToken)
    {
        foreach (var recent in session.RecentSends.Where(s => s.ClientId == request.ClientId))
        {
            var stored = await store.ReadAsync(Id.Id, recent.Sequence, recent.Sequence, cancellationToken);
            if (stored is [{ } message] && message.SenderId == request.ParticipantId)
            {
                return message;
            }
        }

        return null;
    }

    public async Task<ChatAdmission> MarkReadAsync(MarkReadRequest request, CancellationToken cancellationToken)
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
            await PublishFanoutAsync(new ChatFanoutEvent(Id.Id, ChatFanoutKinds.Read, now, ParticipantId: request.ParticipantId, ReadUpTo: upTo), cancellationToken);
        }

        return Admission(_session!);
    }

    /// <summary>Timer: drops leases of sockets whose instance stopped renewing them (it died without saying so).</summary>
    public async Task SweepPresenceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (participant, leases) in _leases)
        {
            var wasOnline = leases.Count > 0;
            foreach (var lapsed in leases.Where(l => l.Value <= now).Select(l => l.Key).ToList())
            {
                leases.Remove(lapsed);
            }

            if (wasOnline && leases.Count == 0)
            {
                await PublishFanoutAsync(new ChatFanoutEvent(Id.Id, ChatFanoutKinds.Presence, now, ParticipantId: participant, Online: false), cancellationToken);
            }
        }

        if (_presenceTimerOn && _leases.Values.All(l => l.Count == 0))
        {
            _presenceTimerOn = false;
            await UnregisterTimerAsync(PresenceTimer);
        }
    }

    public async Task ReceiveReminderAsync(string reminderName, ReadOnlyMemory<byte> state, TimeSpan dueTime, TimeSpan period)
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
            LogRetentionExtended(Logger, Id.Id, session.LastSequence);
            await RegisterReminderAsync(RetentionReminder, new { }, Later(retainedUntil - Options.RetentionRefreshMargin - now), Timeout.InfiniteTimeSpan);
        }
        else
        {
            // Nothing new since the keys were last re-armed: they all expire at the chat's end; come back then.
            await RegisterReminderAsync(RetentionReminder, new { }, Later(retainedUntil - now), Timeout.InfiniteTimeSpan);
        }
    }

    private async Task ForgetAsync(SessionRecord session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        LogForgotten(Logger, Id.Id);
        _session = null;
        _leases.Clear();
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
        await PublishFanoutAsync(new ChatFanoutEvent(Id.Id, expired ? ChatFanoutKinds.Expired : ChatFanoutKinds.Ended, now,
            ParticipantId: ended.EndedBy, Reason: ended.EndReason, MessagesErased: ended.MessagesErased ? true : null), cancellationToken);
        await PublishAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SessionEnded,
            new SessionEndedEvent(Id.Id, ended.EndedBy ?? "system", ended.EndReason ?? "ended", now), cancellationToken);
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
            _session = await store.GetSessionAsync(Id.Id, cancellationToken);
            _loaded = true;
        }

        return _session;
    }

    private async Task AddLeaseAsync(ChatConnectionRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var wasOnline = IsOnline(request.ParticipantId, now);
        if (!_leases.TryGetValue(request.ParticipantId, out var leases))
        {
            _leases[request.ParticipantId] = leases = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        }

        leases[request.ConnectionId] = now + Options.PresenceLease;
        if (!_presenceTimerOn)
        {
            _presenceTimerOn = true;
            await RegisterTimerAsync(PresenceTimer, PresenceSweep, new { }, Options.PresenceLease, Options.PresenceLease / 2);
        }

        if (!wasOnline)
        {
            await PublishFanoutAsync(new ChatFanoutEvent(Id.Id, ChatFanoutKinds.Presence, now, ParticipantId: request.ParticipantId, Online: true), cancellationToken);
        }
    }

    private bool IsOnline(string participantId, DateTimeOffset now) =>
        _leases.TryGetValue(participantId, out var leases) && leases.Values.Any(until => until > now);

    private ChatAdmission Admission(SessionRecord session)
    {
        var now = time.GetUtcNow();
        return new ChatAdmission(ChatOutcomes.Ok, session.ToSnapshot(Retention),
            session.Participants.ToDictionary(p => p.Id, p => IsOnline(p.Id, now)),
            session.Participants.ToDictionary(p => p.Id, p => session.ReadUpTo.GetValueOrDefault(p.Id)));
    }

    private Task PublishFanoutAsync(ChatFanoutEvent fanout, CancellationToken cancellationToken) =>
        PublishAsync(DaprNames.PubSubs.Fanout, DaprNames.Topics.ChatMessage, fanout, cancellationToken);

    private async Task PublishAsync<T>(string pubsub, string topic, T data, CancellationToken cancellationToken)
    {
        try
        {
            await Host.DaprClient.PublishEventAsync(pubsub, topic, data, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is DaprApiException or HttpRequestException)
        {
            // What was stored stays stored; sockets catch up by sequence number and on resume.
            LogPublishFailed(Logger, ex, topic, Id.Id);
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
