using System.Security.Claims;
using Dapr.Client;
using DaprChat.Contracts;
using DaprChat.Main.Directory;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Security;
using DaprChat.Main.Sessions;
using DaprChat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Dashboard;

/// <summary>A counsellor's or volunteer's own sessions, status and profile. Students appear by pseudonym only.</summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/dashboard").WithTags("Dashboard").RequireAuthorization(Policies.Book).WithProblemResponses();
        group.MapGet("/sessions", ListAsync);
        group.MapPost("/sessions/{sessionId}/join", JoinAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/sessions/{sessionId}/decline", DeclineAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/sessions/{sessionId}/end", EndAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/profile", GetProfileAsync);
        group.MapPut("/profile", UpdateProfileAsync);
        group.MapPut("/status", SetStatusAsync);
        return endpoints;
    }

    private static async Task<Ok<IReadOnlyList<BookSessionView>>> ListAsync(ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.ListForBookAsync(user.RequiredAccountId(), cancellationToken));

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> JoinAsync(string sessionId, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var ticket = await sessions.JoinAsync(user.RequiredAccountId(), sessionId, cancellationToken);
        return ticket.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(ticket.Value!);
    }

    private static async Task<Results<Ok<BookSessionView>, ProblemHttpResult>> DeclineAsync(string sessionId, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var declined = await sessions.DeclineAsync(user.RequiredAccountId(), sessionId, cancellationToken);
        return declined.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(declined.Value!);
    }

    private static async Task<Results<Ok<BookSessionView>, ProblemHttpResult>> EndAsync(string sessionId, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var ended = await sessions.EndByBookAsync(user.RequiredAccountId(), sessionId, cancellationToken);
        return ended.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(ended.Value!);
    }

    private static async Task<Results<Ok<BookProfile>, ProblemHttpResult>> GetProfileAsync(ClaimsPrincipal user, DirectoryService directory, CancellationToken cancellationToken)
    {
        var profile = await directory.GetProfileAsync(user.RequiredAccountId(), cancellationToken);
        return profile is null ? Problem.NotFound("book").ToResult() : TypedResults.Ok(profile);
    }

    private static async Task<Results<Ok<BookProfile>, ProblemHttpResult>> UpdateProfileAsync(ProfileUpdate update, ClaimsPrincipal user, DirectoryService directory, CancellationToken cancellationToken)
    {
        var profile = await directory.UpdateProfileAsync(user.RequiredAccountId(), update, cancellationToken);
        return profile.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(profile.Value!);
    }

    private static async Task<Results<Ok<BookProfile>, ProblemHttpResult>> SetStatusAsync(StatusUpdate update, ClaimsPrincipal user, DirectoryService directory, CancellationToken cancellationToken)
    {
        var profile = await directory.SetStatusAsync(user.RequiredAccountId(), update.Status, cancellationToken);
        return profile.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(profile.Value!);
    }
}
