using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Dapr.Client;
using DaprChat.Contracts;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Security;
using DaprChat.Main.Sessions;
using DaprChat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Dashboard;

public sealed record SummaryRequested(string JobId, string SessionId);

/// <summary>
/// The session's counsellor asks for, follows, reads, reviews, edits and deletes its AI summary, and reads the student's
/// earlier summaries, all while the session is theirs (others 404, students 403 by the Book policy). summarize is reached
/// through Dapr invocation only and never learns an account: main passes the session id and the opaque student key.
/// </summary>
public static class SummariesApi
{
    private static readonly Problem SummarizeUnavailable = new(StatusCodes.Status503ServiceUnavailable, "summarize_unavailable", "The summary service could not be reached; try again");

    public static IEndpointRouteBuilder MapSummariesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/dashboard/sessions/{sessionId}/summary").WithTags("Summaries").RequireAuthorization(Policies.Book).WithProblemResponses();
        group.MapPost("", RequestAsync);
        group.MapGet("", StatusAsync);
        group.MapGet("/history", HistoryAsync);
        group.MapPost("/{jobId}/review", ReviewAsync);
        group.MapPut("/{jobId}", EditAsync);
        group.MapDelete("/{jobId}", DeleteAsync);
        return endpoints;
    }

    /// <summary>Publishes <c>summary.requested</c>; summarize's workflow takes it from there (instance id = job id).</summary>
    private static async Task<Results<Accepted<SummaryRequested>, ProblemHttpResult>> RequestAsync(string sessionId, ClaimsPrincipal user, SessionService sessions,
        StudentKeys studentKeys, DaprClient dapr, TimeProvider time, CancellationToken cancellationToken)
    {
        var bookId = user.RequiredAccountId();
        if (await sessions.StudentOfBookSessionAsync(bookId, sessionId, cancellationToken) is not { } found)
        {
            return Problem.NotFound("session").ToResult();
        }

        var jobId = Guid.NewGuid().ToString("N");
        var studentKey = await studentKeys.ForAccountAsync(found.StudentAccountId, cancellationToken);
        await dapr.PublishEventAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryRequested,
            new SummaryRequestedEvent(jobId, sessionId, studentKey, bookId, time.GetUtcNow()), cancellationToken: cancellationToken);
        return TypedResults.Accepted($"/api/dashboard/sessions/{sessionId}/summary", new SummaryRequested(jobId, sessionId));
    }

    /// <summary>The session's latest summary job (queued, running, completed with its summary, failed with its reason).</summary>
    private static async Task<Results<Ok<SummaryJobView>, ProblemHttpResult>> StatusAsync(string sessionId, ClaimsPrincipal user, SessionService sessions,
        IHttpClientFactory clients, CancellationToken cancellationToken) =>
        await OwnsAsync(user, sessionId, sessions, cancellationToken) is null
            ? Problem.NotFound("session").ToResult()
            : await SendAsync<SummaryJobView>(clients, HttpMethod.Get, $"summaries/sessions/{Uri.EscapeDataString(sessionId)}", null, cancellationToken);

    /// <summary>Every stored summary of this session's student, newest first, linked by the student key alone.</summary>
    private static async Task<Results<Ok<SummaryHistory>, ProblemHttpResult>> HistoryAsync(string sessionId, ClaimsPrincipal user, SessionService sessions,
        StudentKeys studentKeys, IHttpClientFactory clients, CancellationToken cancellationToken)
    {
        if (await OwnsAsync(user, sessionId, sessions, cancellationToken) is not { } found)
        {
            return Problem.NotFound("session").ToResult();
        }

        var studentKey = await studentKeys.ForAccountAsync(found.StudentAccountId, cancellationToken);
        return await SendAsync<SummaryHistory>(clients, HttpMethod.Get, $"summaries/students/{Uri.EscapeDataString(studentKey)}", null, cancellationToken);
    }

    private static async Task<Results<Ok<SummaryView>, ProblemHttpResult>> ReviewAsync(string sessionId, string jobId, ClaimsPrincipal user, SessionService sessions,
        IHttpClientFactory clients, CancellationToken cancellationToken) =>
        await OwnsAsync(user, sessionId, sessions, cancellationToken) is null
            ? Problem.NotFound("session").ToResult()
            : await SendAsync<SummaryView>(clients, HttpMethod.Post, JobPath(sessionId, jobId) + "/review", null, cancellationToken);

    private static async Task<Results<Ok<SummaryView>, ProblemHttpResult>> EditAsync(string sessionId, string jobId, SummaryEdit edit, ClaimsPrincipal user, SessionService sessions,
        IHttpClientFactory clients, CancellationToken cancellationToken) =>
        await OwnsAsync(user, sessionId, sessions, cancellationToken) is null
            ? Problem.NotFound("session").ToResult()
            : await SendAsync<SummaryView>(clients, HttpMethod.Put, JobPath(sessionId, jobId), JsonContent.Create(edit, options: JsonSerializerOptions.Web), cancellationToken);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string sessionId, string jobId, ClaimsPrincipal user, SessionService sessions,
        IHttpClientFactory clients, CancellationToken cancellationToken)
    {
        if (await OwnsAsync(user, sessionId, sessions, cancellationToken) is null)
        {
            return Problem.NotFound("session").ToResult();
        }

        using var http = clients.CreateClient(DaprNames.Apps.Summarize);
        try
        {
            using var response = await http.DeleteAsync(JobPath(sessionId, jobId), cancellationToken);
            return response.IsSuccessStatusCode ? TypedResults.NoContent() : (await ProblemOfAsync(response, cancellationToken)).ToResult();
        }
        catch (HttpRequestException)
        {
            return SummarizeUnavailable.ToResult();
        }
    }

    private static Task<(SessionRecord Session, string StudentAccountId)?> OwnsAsync(ClaimsPrincipal user, string sessionId, SessionService sessions, CancellationToken cancellationToken) =>
        sessions.StudentOfBookSessionAsync(user.RequiredAccountId(), sessionId, cancellationToken);

    private static string JobPath(string sessionId, string jobId) => $"summaries/sessions/{Uri.EscapeDataString(sessionId)}/{Uri.EscapeDataString(jobId)}";

    private static async Task<Results<Ok<T>, ProblemHttpResult>> SendAsync<T>(IHttpClientFactory clients, HttpMethod method, string path, HttpContent? body, CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(DaprNames.Apps.Summarize);
        using var request = new HttpRequestMessage(method, path) { Content = body };
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (await ProblemOfAsync(response, cancellationToken)).ToResult();
            }

            var value = await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, cancellationToken);
            return value is null ? SummarizeUnavailable.ToResult() : TypedResults.Ok(value);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return SummarizeUnavailable.ToResult();
        }
    }

    /// <summary>summarize's 404 and 400 pass through as main's own problems; anything else is "unavailable" (its insides stay hidden).</summary>
    private static async Task<Problem> ProblemOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return Problem.NotFound("summary");
            case HttpStatusCode.BadRequest:
                var detail = await ReadTitleAsync(response, cancellationToken);
                return new Problem(StatusCodes.Status400BadRequest, "invalid_summary", detail ?? "The summary does not fit its shape");
            default:
                return SummarizeUnavailable;
        }
    }

    private static async Task<string?> ReadTitleAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return doc.RootElement.TryGetProperty("title", out var title) ? title.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
