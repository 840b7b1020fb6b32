using Dapr;
using Dapr.Client;
using Dapr.Actors;
using Dapr.Actors.Client;
using DaprChat.Contracts;
using DaprChat.Main.Accounts;
using DaprChat.Main.Directory;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Security;
using DaprChat.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace DaprChat.Main.Sessions;

/// <summary>
/// Chat requests and sessions: checks, caps, pseudonyms, opening the ChatSession actor in chat, tickets, and the request
/// state machine. Time-driven transitions (timeout, expiry) are applied lazily when a session is read, ETag-guarded,
/// so any number of main replicas agree without a scheduler.
/// </summary>
public sealed partial class SessionService(
    UserStore store,
    SessionIndex index,
    AccountService accounts,
    DirectoryService directory,
    TokenIssuer tokens,
    IActorProxyFactory actors,
    DaprClient dapr,
    IOptions<SessionOptions> options,
    TimeProvider time,
    ILogger<SessionService> logger)
{
    private static readonly Problem NotFound = Problem.NotFound("session");

    public async Task<Outcome<SessionCreated>> RequestAsync(string studentId, string bookId, CancellationToken cancellationToken)
    {
        var student = await accounts.GetAsync(studentId, cancellationToken);
        if (student is null || student.Role != Roles.Student)
        {
            return Problem.NotFound("account");
        }

        if (student.Blocked)
        {
            return new Problem(StatusCodes.Status403Forbidden, "student_blocked", "You cannot start new chats at the moment");
        }

        var book = await accounts.GetAsync(bookId ?? "", cancellationToken);
        var profile = book is { IsBook: true, State: AccountStates.Active } ? await directory.GetProfileAsync(book.Id, cancellationToken) : null;
        if (book is null || profile is null)
        {
            return Problem.NotFound("book");
        }

        if (profile.Status != BookStatus.Available)
        {
            return new Problem(StatusCodes.Status409Conflict, "book_unavailable", $"{profile.DisplayName} is not available right now");
        }

        var o = options.Value;
        var now = time.GetUtcNow();
        var session = new SessionRecord(Guid.NewGuid().ToString("N"), Pseudonyms.NewPseudonym(), Pseudonyms.NewAlias(), book.Id, profile.DisplayName, book.Role,
            SessionStatus.Pending, now, now + o.RequestTimeout, now + o.MaxDuration, null, null, null);
        // Written before any cap reservation, so a list never names a session that other replicas cannot read yet.
        await store.TransactAsync([
            store.Create(Keys.Session(session.Id), session),
            store.Create(Keys.Pseudonym(session.StudentPseudonym), new PseudonymEntry(session.StudentPseudonym, studentId, session.Id)),
        ], cancellationToken);

        var problem = (await index.ReserveAsync(Keys.StudentSessions(studentId), session.Id, o.StudentMaxOpenChats,
                new Problem(StatusCodes.Status409Conflict, "student_chat_limit", $"You already have {o.StudentMaxOpenChats} open chats"), cancellationToken)).Problem
            ?? (await index.ReserveAsync(Keys.BookSessions(book.Id), session.Id, profile.MaxActiveChats,
                new Problem(StatusCodes.Status409Conflict, "book_at_capacity", $"{profile.DisplayName} has no free chat slot right now"), cancellationToken)).Problem;
        if (problem is null && !await OpenActorAsync(session, cancellationToken))
        {
            problem = new Problem(StatusCodes.Status503ServiceUnavailable, "chat_unavailable", "The chat service could not open the room; try again");
        }

        if (problem is not null)
        {
            // A session that disappears is dropped from the lists at their next read, which frees any slot it held.
            await store.TransactAsync([UserStore.Delete(Keys.Session(session.Id)), UserStore.Delete(Keys.Pseudonym(session.StudentPseudonym))], cancellationToken);
            return problem;
        }

        LogRequested(session.Id, book.Id);
        await PublishRequestedAsync(session, cancellationToken);
        var ticket = await TicketAsync(session, StudentParticipant(session), cancellationToken);
        return new SessionCreated(StudentSessionView.From(session, o.ChatUrl(session.Id)), ticket);
    }

    public async Task<Outcome<StudentSessionView>> GetForStudentAsync(string studentId, string sessionId, CancellationToken cancellationToken)
    {
        var session = await StudentSessionAsync(studentId, sessionId, cancellationToken);
        if (session is null)
        {
            return NotFound;
        }

        // A request that went unanswered or was declined comes with who else can talk now, so nobody waits in silence.
        var alternatives = session.Status is SessionStatus.TimedOut or SessionStatus.Declined
            ? await directory.ListAsync(availableOnly: true, excludeId: session.CounselorId, cancellationToken)
            : null;
        return StudentSessionView.From(session, options.Value.ChatUrl(session.Id), alternatives);
    }

    public async Task<IReadOnlyList<StudentSessionView>> ListForStudentAsync(string studentId, CancellationToken cancellationToken) =>
        (await index.OpenSessionsAsync(Keys.StudentSessions(studentId), cancellationToken))
            .OrderBy(s => s.CreatedAt).Select(s => StudentSessionView.From(s, options.Value.ChatUrl(s.Id))).ToList();

    public async Task<Outcome<TicketView>> StudentTicketAsync(string studentId, string sessionId, CancellationToken cancellationToken)
    {
        var session = await StudentSessionAsync(studentId, sessionId, cancellationToken);
        return session is null ? NotFound
            : !SessionStatus.IsOpen(session.Status) ? SessionRules.Closed
            : await TicketAsync(session, StudentParticipant(session), cancellationToken);
    }

    public async Task<Outcome<StudentSessionView>> EndByStudentAsync(string studentId, string sessionId, CancellationToken cancellationToken)
    {
        var session = await StudentSessionAsync(studentId, sessionId, cancellationToken);
        if (session is null)
        {
            return NotFound;
        }

        var ended = await TransitionAsync(sessionId, s => SessionRules.End(s, session.StudentPseudonym, time.GetUtcNow()), cancellationToken);
        return ended.Problem is { } problem ? problem : StudentSessionView.From(ended.Value!, options.Value.ChatUrl(sessionId));
    }

    public async Task<IReadOnlyList<BookSessionView>> ListForBookAsync(string bookId, CancellationToken cancellationToken) =>
        (await index.OpenSessionsAsync(Keys.BookSessions(bookId), cancellationToken))
            .OrderBy(s => s.CreatedAt).Select(BookSessionView.From).ToList();

    /// <summary>The counsellor joins (pending → active) and gets their own ticket; joining again re-issues one.</summary>
    public async Task<Outcome<TicketView>> JoinAsync(string bookId, string sessionId, CancellationToken cancellationToken)
    {
        if (await BookSessionAsync(bookId, sessionId, cancellationToken) is null)
        {
            return NotFound;
        }

        // chat hears of the join first: once it has, its own answer-by timeout can no longer erase the chat main calls active.
        if (await JoinActorAsync(sessionId, cancellationToken) is { } refused)
        {
            await SettledAsync(sessionId, cancellationToken);
            return refused;
        }

        var joined = await TransitionAsync(sessionId, s => SessionRules.Join(s, time.GetUtcNow()), cancellationToken);
        return joined.Problem is { } problem ? problem : await TicketAsync(joined.Value!, CounselorParticipant(joined.Value!), cancellationToken);
    }

    public Task<Outcome<BookSessionView>> DeclineAsync(string bookId, string sessionId, CancellationToken cancellationToken) =>
        BookTransitionAsync(bookId, sessionId, s => SessionRules.Decline(s, time.GetUtcNow()), cancellationToken);

    public Task<Outcome<BookSessionView>> EndByBookAsync(string bookId, string sessionId, CancellationToken cancellationToken) =>
        BookTransitionAsync(bookId, sessionId, s => SessionRules.End(s, bookId, time.GetUtcNow()), cancellationToken);

    /// <summary>chat says the session ended (a participant left for good, or it expired): record it, touching nothing else.</summary>
    public async Task HandleChatEndedAsync(SessionEndedEvent ended, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.UpdateAsync<SessionRecord>(Keys.Session(ended.SessionId), current =>
        {
            if (current is null)
            {
                return NotFound;
            }

            var evaluated = SessionRules.Evaluate(current, now);
            var status = ended.Reason switch
            {
                ChatEndReasons.Expired => SessionStatus.Expired,
                ChatEndReasons.TimedOut when evaluated.Status == SessionStatus.Pending => SessionStatus.TimedOut,
                _ => SessionStatus.Ended,
            };
            return SessionStatus.IsOpen(evaluated.Status)
                ? evaluated with { Status = status, ClosedAt = ended.EndedAt, ClosedBy = ended.EndedBy }
                : NotFound;
        }, cancellationToken);
    }

    /// <summary>Resolves a pseudonym to its account, for admins who block without learning who it is.</summary>
    public async Task<string?> ResolvePseudonymAsync(string pseudonym, CancellationToken cancellationToken) =>
        (await store.GetAsync<PseudonymEntry>(Keys.Pseudonym(pseudonym), cancellationToken))?.AccountId;

    /// <summary>The student behind a session the book owns (for the student key); null if it is not theirs.</summary>
    public async Task<(SessionRecord Session, string StudentAccountId)?> StudentOfBookSessionAsync(string bookId, string sessionId, CancellationToken cancellationToken)
    {
        var session = await BookSessionAsync(bookId, sessionId, cancellationToken);
        var studentId = session is null ? null : await ResolvePseudonymAsync(session.StudentPseudonym, cancellationToken);
        return session is null || studentId is null ? null : (session, studentId);
    }

    private async Task<Outcome<BookSessionView>> BookTransitionAsync(string bookId, string sessionId, Func<SessionRecord, Outcome<SessionRecord>> rule, CancellationToken cancellationToken)
    {
        if (await BookSessionAsync(bookId, sessionId, cancellationToken) is null)
        {
            return NotFound;
        }

        var changed = await TransitionAsync(sessionId, rule, cancellationToken);
        return changed.Problem is { } problem ? problem : BookSessionView.From(changed.Value!);
    }

    /// <summary>The session if this student owns it (via the pseudonym map); null for anyone else's, so ids leak nothing.</summary>
    private async Task<SessionRecord?> StudentSessionAsync(string studentId, string sessionId, CancellationToken cancellationToken)
    {
        var session = await SettledAsync(sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var owner = await store.GetAsync<PseudonymEntry>(Keys.Pseudonym(session.StudentPseudonym), cancellationToken);
        return owner?.AccountId == studentId && owner.SessionId == sessionId ? session : null;
    }

    private async Task<SessionRecord?> BookSessionAsync(string bookId, string sessionId, CancellationToken cancellationToken)
    {
        var session = await SettledAsync(sessionId, cancellationToken);
        return session?.CounselorId == bookId ? session : null;
    }

    /// <summary>Reads a session and, if time has moved it on (timed out, expired), stores that and closes the room.</summary>
    private async Task<SessionRecord?> SettledAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync<SessionRecord>(Keys.Session(sessionId), cancellationToken);
        if (session is null)
        {
            return null;
        }

        var evaluated = SessionRules.Evaluate(session, time.GetUtcNow());
        if (evaluated.Status == session.Status)
        {
            return session;
        }

        var settled = await TransitionAsync(sessionId, s => SessionRules.Evaluate(s, time.GetUtcNow()), cancellationToken);
        return settled.Value ?? evaluated;
    }

    private async Task<Outcome<SessionRecord>> TransitionAsync(string sessionId, Func<SessionRecord, Outcome<SessionRecord>> rule, CancellationToken cancellationToken)
    {
        string? before = null;
        var changed = await store.UpdateAsync<SessionRecord>(Keys.Session(sessionId), current =>
        {
            before = current?.Status;
            return current is null ? NotFound : rule(current);
        }, cancellationToken);
        if (changed.Value is { } session && before is not null && before != session.Status)
        {
            LogTransition(sessionId, before, session.Status);
            if (!SessionStatus.IsOpen(session.Status))
            {
                await EndActorAsync(session, SessionRules.ChatEndReason(session)!, cancellationToken);
            }
        }

        return changed;
    }

    private async Task<bool> OpenActorAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        try
        {
            await Room(session.Id).OpenAsync(
                new OpenChatSessionRequest(session.Id, StudentParticipant(session), CounselorParticipant(session), session.ExpiresAt, session.RequestExpiresAt), cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            LogActorFailed(ex, session.Id, nameof(IChatSessionActor.OpenAsync));
            return false;
        }
    }

    /// <summary>Tells chat the counsellor joins; a problem if chat's room is no longer open (it timed out there first) or unreachable.</summary>
    private async Task<Problem?> JoinActorAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            var room = await Room(sessionId).JoinAsync(cancellationToken);
            return room.State == ChatSessionStates.Open ? null : SessionRules.Closed;
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            LogActorFailed(ex, sessionId, nameof(IChatSessionActor.JoinAsync));
            return new Problem(StatusCodes.Status503ServiceUnavailable, "chat_unavailable", "The chat service could not be reached; try again");
        }
    }

    private async Task EndActorAsync(SessionRecord session, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await Room(session.Id).EndAsync(new EndChatSessionRequest(session.ClosedBy ?? "system", reason), cancellationToken);
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            // main's record is the source of truth for requests; chat also ends the room itself at expiry.
            LogActorFailed(ex, session.Id, nameof(IChatSessionActor.EndAsync));
        }
    }

    /// <summary>Tells notify (push and the live desk); a failed publish costs only the notification, never the request.</summary>
    private async Task PublishRequestedAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.PublishEventAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SessionRequested,
                new SessionRequestedEvent(session.Id, session.CounselorId, session.CreatedAt), cancellationToken);
        }
        catch (DaprException ex)
        {
            LogPublishFailed(ex, session.Id);
        }
    }

    /// <summary>The session's room in chat: the ChatSession actor, through the SDK's typed proxy.</summary>
    private IChatSessionActor Room(string sessionId) =>
        actors.CreateActorProxy<IChatSessionActor>(new ActorId(sessionId), DaprNames.ActorTypes.ChatSession);

    private async Task<TicketView> TicketAsync(SessionRecord session, ChatParticipant participant, CancellationToken cancellationToken)
    {
        var ticket = await tokens.IssueTicketAsync(session.Id, participant, session.ExpiresAt, cancellationToken);
        return new TicketView(session.Id, participant.Id, participant.Role, ticket.Ticket, ticket.ExpiresAt, options.Value.ChatUrl(session.Id));
    }

    private static ChatParticipant StudentParticipant(SessionRecord s) => new(s.StudentPseudonym, Roles.Student, s.StudentAlias);

    private static ChatParticipant CounselorParticipant(SessionRecord s) => new(s.CounselorId, s.CounselorRole, s.CounselorName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} requested with book {BookId}")]
    private partial void LogRequested(string sessionId, string bookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: {From} -> {To}")]
    private partial void LogTransition(string sessionId, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish session.requested for session {SessionId}")]
    private partial void LogPublishFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ChatSession {SessionId} {Method} failed")]
    private partial void LogActorFailed(Exception exception, string sessionId, string method);
}
