using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Dapr.Actors;

namespace DaprChat.Chat.Sessions;

/// <summary>
/// One chat session: the single writer of its membership, state and expiry. main opens it when a student's request is
/// accepted for a book; anyone with the right to may end it; a reminder ends it when it expires.
/// </summary>
public sealed class ChatSessionActor(ActorHost host, TimeProvider time) : Actor(host), IRemindable
{
    private const string SessionKey = "session";
    private const string ExpiryReminder = "expire";

    public async Task<ChatSessionSnapshot> OpenAsync(OpenChatSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SessionId != Id.Id)
        {
            throw new ArgumentException($"The request names session '{request.SessionId}' but this actor is '{Id.Id}'", nameof(request));
        }

        var existing = await StateManager.TryGetStateAsync<ChatSessionSnapshot>(SessionKey, cancellationToken);
        if (existing.HasValue)
        {
            // A retried open (main timed out, a second replica) must not reset the session or its clock.
            return existing.Value.StudentPseudonym == request.Student.Id && existing.Value.CounselorId == request.Counselor.Id
                ? existing.Value
                : throw new InvalidOperationException($"Session '{Id.Id}' is already open with other participants");
        }

        var now = time.GetUtcNow();
        var snapshot = new ChatSessionSnapshot(Id.Id, [request.Student, request.Counselor], request.Student.Id, request.Counselor.Id,
            ChatSessionStates.Open, now, request.ExpiresAt, null, null, null);
        await StateManager.SetStateAsync(SessionKey, snapshot, cancellationToken);
        var due = request.ExpiresAt - now;
        await RegisterReminderAsync(ExpiryReminder, new { }, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return snapshot;
    }

    public async Task<ChatSessionSnapshot?> GetAsync(CancellationToken cancellationToken)
    {
        var existing = await StateManager.TryGetStateAsync<ChatSessionSnapshot>(SessionKey, cancellationToken);
        return existing.HasValue ? existing.Value : null;
    }

    public async Task<ChatSessionSnapshot> EndAsync(EndChatSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var existing = await StateManager.TryGetStateAsync<ChatSessionSnapshot>(SessionKey, cancellationToken);
        if (!existing.HasValue)
        {
            throw new KeyNotFoundException($"Session '{Id.Id}' was never opened");
        }

        if (existing.Value.State == ChatSessionStates.Ended)
        {
            return existing.Value;
        }

        var now = time.GetUtcNow();
        var ended = existing.Value with { State = ChatSessionStates.Ended, EndedAt = now, EndedBy = request.EndedBy, EndReason = request.Reason };
        await StateManager.SetStateAsync(SessionKey, ended, cancellationToken);
        await Host.DaprClient.PublishEventAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SessionEnded,
            new SessionEndedEvent(Id.Id, request.EndedBy, request.Reason, now), cancellationToken: cancellationToken);
        if (request.Reason != "expired")
        {
            await UnregisterReminderAsync(ExpiryReminder);
        }

        return ended;
    }

    public async Task ReceiveReminderAsync(string reminderName, ReadOnlyMemory<byte> state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName == ExpiryReminder)
        {
            await EndAsync(new EndChatSessionRequest("system", "expired"), CancellationToken.None);
        }
    }
}
