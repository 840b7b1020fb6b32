using DaprChat.Contracts;
using DaprChat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Summarize.Summaries;

/// <summary>
/// <c>/summaries/**</c>, for main only (through Dapr invocation; summarize is not exposed). main has checked that the
/// caller is the session's counsellor; here a job answers only under its own session id, so a job id guessed from
/// another session is 404 too.
/// </summary>
public static class SummaryApi
{
    public static IEndpointRouteBuilder MapSummaryApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/summaries").RequireDaprSidecar().AddEndpointFilter(MainOnly).ExcludeFromDescription();
        group.MapGet("/sessions/{sessionId}", LatestAsync);
        group.MapGet("/students/{studentKey}", HistoryAsync);
        group.MapPost("/sessions/{sessionId}/{jobId}/review", ReviewAsync);
        group.MapPut("/sessions/{sessionId}/{jobId}", EditAsync);
        group.MapDelete("/sessions/{sessionId}/{jobId}", DeleteAsync);
        return endpoints;
    }

    private static async ValueTask<object?> MainOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Request.Headers["dapr-caller-app-id"].ToString() == DaprNames.Apps.Main
            ? await next(context)
            : TypedResults.Problem(title: "Only main may read summaries", statusCode: StatusCodes.Status403Forbidden,
                extensions: new Dictionary<string, object?> { ["code"] = "caller_not_allowed" });

    /// <summary>The session's latest summary job, with its summary once completed.</summary>
    private static async Task<Results<Ok<SummaryJobView>, ProblemHttpResult>> LatestAsync(string sessionId, SummaryStore store, CancellationToken cancellationToken)
    {
        var jobs = await store.JobsOfSessionAsync(sessionId, cancellationToken);
        var job = jobs.Count == 0 ? null : await store.GetJobAsync(jobs[^1], cancellationToken);
        if (job is null)
        {
            return Problem.NotFound("summary").ToResult();
        }

        var summary = job.Status == SummaryStatuses.Completed ? await store.GetSummaryAsync(job.JobId, cancellationToken) : null;
        return TypedResults.Ok(new SummaryJobView(job.JobId, job.SessionId, job.Status, job.Reason, job.RequestedAt, job.UpdatedAt, summary?.ToView()));
    }

    /// <summary>Every stored summary of the student, newest first (main passes the key of a student the counsellor has a session with).</summary>
    private static async Task<Ok<SummaryHistory>> HistoryAsync(string studentKey, SummaryStore store, CancellationToken cancellationToken)
    {
        var summaries = new List<SummaryView>();
        foreach (var id in await store.SummariesOfStudentAsync(studentKey, cancellationToken))
        {
            if (await store.GetSummaryAsync(id, cancellationToken) is { } summary)
            {
                summaries.Add(summary.ToView());
            }
        }

        return TypedResults.Ok(new SummaryHistory([.. summaries.OrderByDescending(s => s.Provenance.RequestedAt)]));
    }

    private static Task<Results<Ok<SummaryView>, ProblemHttpResult>> ReviewAsync(string sessionId, string jobId, SummaryStore store, TimeProvider time, CancellationToken cancellationToken) =>
        ChangeAsync(sessionId, jobId, store, s => s with { Reviewed = true, ReviewedAt = time.GetUtcNow() }, cancellationToken);

    private static async Task<Results<Ok<SummaryView>, ProblemHttpResult>> EditAsync(string sessionId, string jobId, SummaryEdit edit, SummaryStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var check = Generation.SummaryValidator.Validate(System.Text.Json.JsonSerializer.Serialize(edit.Content, System.Text.Json.JsonSerializerOptions.Web),
            (await store.GetRedactedAsync(jobId, cancellationToken))?.Lines.Select(l => l.Sequence).ToHashSet()
            ?? edit.Content.RiskIndicators.SelectMany(r => r.Citations).ToHashSet());
        if (!check.IsValid)
        {
            return TypedResults.Problem(title: "The summary does not fit its shape: " + check.Problem, statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["code"] = "invalid_summary" });
        }

        return await ChangeAsync(sessionId, jobId, store, s => s with { Content = edit.Content, EditedAt = time.GetUtcNow() }, cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string sessionId, string jobId, SummaryStore store, CancellationToken cancellationToken)
    {
        var summary = await store.GetSummaryAsync(jobId, cancellationToken);
        if (summary is null || summary.SessionId != sessionId)
        {
            return Problem.NotFound("summary").ToResult();
        }

        await store.DeleteSummaryAsync(summary, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SummaryView>, ProblemHttpResult>> ChangeAsync(string sessionId, string jobId, SummaryStore store,
        Func<StoredSummary, StoredSummary> change, CancellationToken cancellationToken)
    {
        var summary = await store.GetSummaryAsync(jobId, cancellationToken);
        if (summary is null || summary.SessionId != sessionId)
        {
            return Problem.NotFound("summary").ToResult();
        }

        var changed = change(summary);
        await store.SaveSummaryAsync(changed, cancellationToken);
        return TypedResults.Ok(changed.ToView());
    }
}
