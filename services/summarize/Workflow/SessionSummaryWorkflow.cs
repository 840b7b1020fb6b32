using Dapr.Workflow;
using DaprChat.Contracts;

namespace DaprChat.Summarize.Workflow;

/// <summary>The workflow's input: ids and numbers only, never text (workflow state is visible to operators).</summary>
public sealed record SummaryWorkflowInput(string JobId, GenerationRetrySettings Retry);

public sealed record SummaryWorkflowResult(string JobId, string Status, string? Reason);

/// <summary>
/// One summary request (instance id = request id). Each step is an idempotent activity that reads and writes
/// summarystore by job id; transient failures are retried by the activity retry policy, generation outcomes by
/// <see cref="GenerationRetryPolicy"/> with durable timers in between.
/// </summary>
public sealed class SessionSummaryWorkflow : Workflow<SummaryWorkflowInput, SummaryWorkflowResult>
{
    /// <summary>State store or invocation hiccups: exponential back-off, capped.</summary>
    internal static readonly WorkflowTaskOptions Transient = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    public override async Task<SummaryWorkflowResult> RunAsync(WorkflowContext context, SummaryWorkflowInput input)
    {
        var jobId = input.JobId;
        try
        {
            if (!await context.CallActivityAsync<bool>(nameof(StartJobActivity), jobId, Transient))
            {
                return new(jobId, SummaryStatuses.Failed, SummaryFailureReasons.Internal);
            }

            var snapshot = await context.CallActivityAsync<StepResult>(nameof(SnapshotTranscriptActivity), jobId, Transient);
            if (snapshot.FailReason is { } snapshotFailure)
            {
                return await FinishAsync(context, jobId, snapshotFailure);
            }

            await context.CallActivityAsync<StepResult>(nameof(LoadHistoryActivity), jobId, Transient);
            await context.CallActivityAsync<StepResult>(nameof(RedactActivity), jobId, Transient);

            for (var attempt = 1; ; attempt++)
            {
                var generated = await context.CallActivityAsync<GenerationResult>(nameof(GenerateActivity), new AttemptInput(jobId, attempt), Transient);
                var outcome = generated.Outcome;
                if (outcome == GenerationOutcomes.Generated)
                {
                    var validation = await context.CallActivityAsync<StepResult>(nameof(ValidateActivity), new AttemptInput(jobId, attempt), Transient);
                    if (validation.FailReason is null)
                    {
                        await context.CallActivityAsync<StepResult>(nameof(StoreSummaryActivity), new AttemptInput(jobId, attempt), Transient);
                        return await FinishAsync(context, jobId, null);
                    }

                    outcome = GenerationOutcomes.Invalid;
                }

                var decision = GenerationRetryPolicy.Decide(input.Retry, outcome, attempt, generated.RetryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
                if (!decision.Retry)
                {
                    return await FinishAsync(context, jobId, decision.FailReason);
                }

                if (decision.Delay > TimeSpan.Zero)
                {
                    await context.CreateTimer(decision.Delay);
                }
            }
        }
        catch (WorkflowTaskFailedException)
        {
            // An activity failed after its retries; the job still ends, as failed, and the counsellor hears of it.
            return await FinishAsync(context, jobId, SummaryFailureReasons.Internal);
        }
    }

    private static async Task<SummaryWorkflowResult> FinishAsync(WorkflowContext context, string jobId, string? failReason)
    {
        await context.CallActivityAsync<StepResult>(nameof(PublishOutcomeActivity), new OutcomeInput(jobId, failReason), Transient);
        return new(jobId, failReason is null ? SummaryStatuses.Completed : SummaryStatuses.Failed, failReason);
    }
}
