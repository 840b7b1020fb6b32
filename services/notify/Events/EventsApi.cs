using DaprChat.Contracts;
using DaprChat.Notify.Dashboard;
using DaprChat.Notify.Push;
using DaprChat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Notify.Events;

/// <summary>notify's subscriptions: pushes for chat's offline messages and main's requests, desk notifications for all, and the fan-out to streams.</summary>
public static class EventsApi
{
    private const string Events = DaprNames.PubSubs.Events;
    private const string DeadLetter = DaprNames.Topics.DeadLetter.Notify;

    public static IEndpointRouteBuilder MapNotifyEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/events/offline-message", OfflineMessageAsync).WithDaprTopic(Events, DaprNames.Topics.OfflineMessage, DeadLetter);
        endpoints.MapPost("/events/session-requested", SessionRequestedAsync).WithDaprTopic(Events, DaprNames.Topics.SessionRequested, DeadLetter);
        endpoints.MapPost("/events/session-ended", SessionEndedAsync).WithDaprTopic(Events, DaprNames.Topics.SessionEnded, DeadLetter);
        endpoints.MapPost("/events/summary-ready", SummaryReadyAsync).WithDaprTopic(Events, DaprNames.Topics.SummaryReady, DeadLetter);
        endpoints.MapPost("/events/summary-failed", SummaryFailedAsync).WithDaprTopic(Events, DaprNames.Topics.SummaryFailed, DeadLetter);
        endpoints.MapPost("/fanout/dashboard", Fanout).WithDaprTopic(DaprNames.PubSubs.Fanout, DaprNames.Topics.DashboardNotification, DeadLetter);
        endpoints.MapDeadLetters(DeadLetter, Events, DaprNames.PubSubs.Fanout);
        return endpoints;
    }

    private static async Task<Ok<TopicResponse>> OfflineMessageAsync(OfflineMessageEvent message, PushService push, NotificationStore desk, CancellationToken cancellationToken)
    {
        if (RecipientKinds.Of(message.RecipientId) == RecipientKinds.Counselor)
        {
            await desk.AddAsync(message.RecipientId, DashboardKinds.StudentMessage, message.SessionId, $"{DashboardKinds.StudentMessage}:{message.SessionId}:{message.Sequence}", null, cancellationToken);
        }

        return Answer(await push.NewMessageAsync(message, cancellationToken));
    }

    private static async Task<Ok<TopicResponse>> SessionRequestedAsync(SessionRequestedEvent requested, PushService push, NotificationStore desk, SessionLookup sessions,
        CancellationToken cancellationToken)
    {
        await sessions.RememberAsync(requested.SessionId, requested.CounselorId, cancellationToken);
        await desk.AddAsync(requested.CounselorId, DashboardKinds.SessionRequested, requested.SessionId, $"{DashboardKinds.SessionRequested}:{requested.SessionId}", null, cancellationToken);
        return Answer(await push.NewRequestAsync(requested, cancellationToken));
    }

    private static async Task<Ok<TopicResponse>> SessionEndedAsync(SessionEndedEvent ended, SessionLookup sessions, NotificationStore desk, CancellationToken cancellationToken)
    {
        // chat names who ended it ("system" at expiry), not who counsels it: the counsellor comes from the request notify saw.
        var counselorId = await sessions.CounselorOfAsync(ended.SessionId, cancellationToken)
            ?? (ended.EndedBy is { Length: > 0 } by && by != "system" && RecipientKinds.Of(by) == RecipientKinds.Counselor ? by : null);
        if (counselorId is not null)
        {
            await desk.AddAsync(counselorId, DashboardKinds.SessionEnded, ended.SessionId, $"{DashboardKinds.SessionEnded}:{ended.SessionId}", null, cancellationToken);
        }

        return TypedResults.Ok(TopicResponse.Success);
    }

    private static async Task<Ok<TopicResponse>> SummaryReadyAsync(SummaryReadyEvent ready, NotificationStore desk, CancellationToken cancellationToken)
    {
        await desk.AddAsync(ready.RequestedBy, DashboardKinds.SummaryReady, ready.SessionId, $"{DashboardKinds.SummaryReady}:{ready.JobId}", ready.JobId, cancellationToken);
        return TypedResults.Ok(TopicResponse.Success);
    }

    private static async Task<Ok<TopicResponse>> SummaryFailedAsync(SummaryFailedEvent failed, NotificationStore desk, CancellationToken cancellationToken)
    {
        await desk.AddAsync(failed.RequestedBy, DashboardKinds.SummaryFailed, failed.SessionId, $"{DashboardKinds.SummaryFailed}:{failed.JobId}", failed.JobId, cancellationToken);
        return TypedResults.Ok(TopicResponse.Success);
    }

    private static Ok<TopicResponse> Fanout(DashboardNotificationEvent notification, StreamHub hub)
    {
        hub.Publish(notification);
        return TypedResults.Ok(TopicResponse.Success);
    }

    // FCM unavailable: daprd redelivers (with the deployment's resiliency back-off) and the push goes out once FCM is back.
    private static Ok<TopicResponse> Answer(PushDispatch dispatch) =>
        TypedResults.Ok(dispatch == PushDispatch.RetryLater ? TopicResponse.Retry : TopicResponse.Success);
}
