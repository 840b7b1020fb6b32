using Dapr.Workflow;
using DaprChat.Contracts;
using DaprChat.ServiceDefaults;
using DaprChat.Summarize.Summaries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DaprChat.Summarize.Workflow;

/// <summary>
/// <c>summary.requested</c> → a <see cref="SessionSummaryWorkflow"/> whose instance id is the request id. A redelivered
/// event finds the job (and its workflow) and starts nothing new, even after the workflow completed (which daprd
/// would otherwise recreate under the same id).
/// </summary>
public static partial class SummaryRequests
{
    public const string Route = "/events/summary-requested";

    public static IEndpointRouteBuilder MapSummaryRequests(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, HandleAsync)
            .WithDaprTopic(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryRequested, DaprNames.Topics.DeadLetter.Summarize)
            .ExcludeFromDescription();
        endpoints.MapDeadLetters(DaprNames.Topics.DeadLetter.Summarize, DaprNames.PubSubs.Events);
        return endpoints;
    }

    private static async Task<Ok<TopicResponse>> HandleAsync(SummaryRequestedEvent requested, SummaryStore store, DaprWorkflowClient workflows,
        IOptions<SummaryOptions> options, TimeProvider time, ILogger<SummaryStore> logger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(requested.JobId) || string.IsNullOrWhiteSpace(requested.SessionId) || string.IsNullOrWhiteSpace(requested.StudentKey))
        {
            return TypedResults.Ok(TopicResponse.Drop);
        }

        await store.TryCreateJobAsync(new SummaryJob(requested.JobId, requested.SessionId, requested.StudentKey, requested.RequestedBy,
            requested.RequestedAt, SummaryStatuses.Queued, time.GetUtcNow()), cancellationToken);
        var job = await store.GetJobAsync(requested.JobId, cancellationToken);
        if (job is null || job.Status is SummaryStatuses.Completed or SummaryStatuses.Failed
            || await workflows.GetWorkflowStateAsync(job.JobId, false, cancellationToken) is { Exists: true })
        {
            return TypedResults.Ok(TopicResponse.Success);
        }

        try
        {
            await workflows.ScheduleNewWorkflowAsync(DaprNames.Workflows.SessionSummary, job.JobId,
                new SummaryWorkflowInput(job.JobId, options.Value.Retry), null, cancellationToken);
            LogStarted(logger, job.JobId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Two deliveries raced and the other one started it; anything else is retried by the sidecar.
            if (await workflows.GetWorkflowStateAsync(job.JobId, false, cancellationToken) is not { Exists: true })
            {
                throw;
            }
        }

        return TypedResults.Ok(TopicResponse.Success);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Summary {JobId}: workflow started")]
    private static partial void LogStarted(ILogger logger, string jobId);
}
