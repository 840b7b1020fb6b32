using System.Security.Claims;
using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Main.Security;
using DaprChat.Main.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Sessions;

/// <summary>A student's chat requests and sessions.</summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/sessions").WithTags("Sessions").RequireAuthorization(Policies.Student).WithProblemResponses();
        group.MapPost("/", RequestAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/", ListAsync);
        group.MapGet("/{sessionId}", GetAsync);
        group.MapPost("/{sessionId}/ticket", TicketAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{sessionId}/end", EndAsync).ProducesProblem(StatusCodes.Status409Conflict);
        // chat publishes this when a room ends on its side (a participant ended it, or it expired).
        endpoints.MapPost("/events/chat-session-ended", ChatSessionEndedAsync).WithTopic(DaprNames.PubSubs.Events, DaprNames.Topics.SessionEnded)
            .RequireDaprSidecar().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Results<Created<SessionCreated>, ProblemHttpResult>> RequestAsync(ChatRequest request, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var created = await sessions.RequestAsync(user.RequiredAccountId(), request.BookId, cancellationToken);
        return created.Problem is { } problem ? problem.ToResult() : TypedResults.Created($"/api/sessions/{created.Value!.Session.Id}", created.Value);
    }

    private static async Task<Ok<IReadOnlyList<StudentSessionView>>> ListAsync(ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.ListForStudentAsync(user.RequiredAccountId(), cancellationToken));

    private static async Task<Results<Ok<StudentSessionView>, ProblemHttpResult>> GetAsync(string sessionId, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var session = await sessions.GetForStudentAsync(user.RequiredAccountId(), sessionId, cancellationToken);
        return session.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(session.Value!);
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> TicketAsync(string sessionId, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var ticket = await sessions.StudentTicketAsync(user.RequiredAccountId(), sessionId, cancellationToken);
        return ticket.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(ticket.Value!);
    }

    private static async Task<Results<Ok<StudentSessionView>, ProblemHttpResult>> EndAsync(string sessionId, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var ended = await sessions.EndByStudentAsync(user.RequiredAccountId(), sessionId, cancellationToken);
        return ended.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(ended.Value!);
    }

    private static async Task<TopicResult> ChatSessionEndedAsync(SessionEndedEvent ended, SessionService sessions, CancellationToken cancellationToken)
    {
        await sessions.HandleChatEndedAsync(ended, cancellationToken);
        return TopicResults.Success();
    }
}
