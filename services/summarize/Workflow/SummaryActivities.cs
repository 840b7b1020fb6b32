using System.Net;
using System.Net.Http.Json;
using Dapr.Client;
using Dapr.Workflow;
using DaprChat.Contracts;
using DaprChat.Summarize.Generation;
using DaprChat.Summarize.Summaries;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace DaprChat.Summarize.Workflow;

public sealed record AttemptInput(string JobId, int Attempt);

public sealed record OutcomeInput(string JobId, string? FailReason);

/// <summary>An activity's answer: a reason code when the job cannot go on, and a count. Never text.</summary>
public sealed record StepResult(string? FailReason = null, int Count = 0);

public sealed record GenerationResult(string Outcome, double? RetryAfterSeconds = null);

/// <summary>queued → running; false if the job is unknown.</summary>
public sealed class StartJobActivity(SummaryStore store, TimeProvider time) : WorkflowActivity<string, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, string input) =>
        await store.UpdateJobAsync(input, j => j.Status == SummaryStatuses.Queued ? j with { Status = SummaryStatuses.Running, UpdatedAt = time.GetUtcNow() } : j,
            CancellationToken.None) is not null;
}

/// <summary>Copies the transcript from chat once (a retry reads the copy, whatever chat's retention did since).</summary>
public sealed class SnapshotTranscriptActivity(SummaryStore store, IHttpClientFactory clients, TimeProvider time) : WorkflowActivity<string, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, string input)
    {
        if (await store.GetTranscriptAsync(input, CancellationToken.None) is { } kept)
        {
            return new(null, kept.Lines.Count);
        }

        var job = await store.GetJobAsync(input, CancellationToken.None) ?? throw new InvalidOperationException("job missing");
        using var http = clients.CreateClient(DaprNames.Apps.Chat);
        using var response = await http.GetAsync($"sessions/{Uri.EscapeDataString(job.SessionId)}/transcript");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new(SummaryFailureReasons.TranscriptUnavailable);
        }

        response.EnsureSuccessStatusCode();
        var transcript = await response.Content.ReadFromJsonAsync<ChatTranscript>() ?? throw new InvalidOperationException("empty transcript answer");
        var lines = transcript.Messages.Where(m => !string.IsNullOrWhiteSpace(m.Content))
            .Select(m => new TranscriptLine(m.Sequence, SummaryPrompt.RoleOf(m.SenderRole), m.Content, m.SentAt)).ToList();
        if (lines.Count == 0)
        {
            return new(SummaryFailureReasons.EmptyTranscript);
        }

        await store.SaveTranscriptAsync(new TranscriptSnapshot(input, lines, time.GetUtcNow()), CancellationToken.None);
        return new(null, lines.Count);
    }
}

/// <summary>Finds the student's earlier summaries by the opaque student key and records their ids on the job.</summary>
public sealed class LoadHistoryActivity(SummaryStore store, IOptions<SummaryOptions> options) : WorkflowActivity<string, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, string input)
    {
        var job = await store.GetJobAsync(input, CancellationToken.None) ?? throw new InvalidOperationException("job missing");
        if (job.EarlierSummaryIds is { } known)
        {
            return new(null, known.Count);
        }

        var earlier = new List<StoredSummary>();
        foreach (var id in await store.SummariesOfStudentAsync(job.StudentKey, CancellationToken.None))
        {
            if (id != input && await store.GetSummaryAsync(id, CancellationToken.None) is { } summary)
            {
                earlier.Add(summary);
            }
        }

        var ids = earlier.OrderByDescending(s => s.Provenance.RequestedAt).Take(options.Value.HistoryInPrompt).Select(s => s.JobId).ToList();
        await store.UpdateJobAsync(input, j => j.EarlierSummaryIds is null ? j with { EarlierSummaryIds = ids } : j, CancellationToken.None);
        return new(null, ids.Count);
    }
}

/// <summary>Redacts direct identifiers from the snapshot into the copy that may leave summarize.</summary>
public sealed class RedactActivity(SummaryStore store, Redactor redactor) : WorkflowActivity<string, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, string input)
    {
        var snapshot = await store.GetTranscriptAsync(input, CancellationToken.None) ?? throw new InvalidOperationException("snapshot missing");
        var count = 0;
        var lines = snapshot.Lines.Select(l =>
        {
            var redacted = redactor.Redact(l.Text);
            count += redacted.Count;
            return l with { Text = redacted.Text };
        }).ToList();
        await store.SaveRedactedAsync(new RedactedTranscript(input, lines, count), CancellationToken.None);
        await store.UpdateJobAsync(input, j => j with { RedactionCount = count }, CancellationToken.None);
        return new(null, count);
    }
}

/// <summary>One model call; its answer is kept as this attempt's draft. Model errors become outcomes the workflow retries.</summary>
public sealed partial class GenerateActivity(SummaryStore store, IChatClient chat, Redactor redactor, IOptions<GeminiOptions> gemini, TimeProvider time,
    ILogger<GenerateActivity> logger) : WorkflowActivity<AttemptInput, GenerationResult>
{
    public override async Task<GenerationResult> RunAsync(WorkflowActivityContext context, AttemptInput input)
    {
        if (await store.GetDraftAsync(input.JobId, input.Attempt, CancellationToken.None) is not null)
        {
            return new(GenerationOutcomes.Generated);
        }

        var job = await store.GetJobAsync(input.JobId, CancellationToken.None) ?? throw new InvalidOperationException("job missing");
        var redacted = await store.GetRedactedAsync(input.JobId, CancellationToken.None) ?? throw new InvalidOperationException("redacted copy missing");
        var earlier = new List<StoredSummary>();
        foreach (var id in job.EarlierSummaryIds ?? [])
        {
            if (await store.GetSummaryAsync(id, CancellationToken.None) is { } summary)
            {
                earlier.Add(summary);
            }
        }

        var offline = chat.GetService<OfflineSummaryClient>() is not null;
        var model = offline ? OfflineSummaryClient.ModelId : gemini.Value.Model;
        try
        {
            var response = await chat.GetResponseAsync(SummaryPrompt.Messages(SummaryPrompt.Data(redacted, earlier, redactor)), SummaryPrompt.Options(offline ? null : model));
            await store.SaveDraftAsync(new GeneratedDraft(input.JobId, input.Attempt, response.ModelId ?? model, response.Text, time.GetUtcNow(), offline), CancellationToken.None);
            return new(GenerationOutcomes.Generated);
        }
        catch (GeminiException ex)
        {
            LogModelError(logger, input.JobId, input.Attempt, (int)ex.Status);
            return (int)ex.Status switch
            {
                429 => new(GenerationOutcomes.Throttled, ex.RetryAfter?.TotalSeconds),
                408 or >= 500 => new(GenerationOutcomes.Unavailable),
                _ => new(GenerationOutcomes.Rejected),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or TaskCanceledException
            or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            LogModelError(logger, input.JobId, input.Attempt, 0);
            return new(GenerationOutcomes.Unavailable);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Summary {JobId}: generation attempt {Attempt} failed (status {Status}, 0 = no answer)")]
    private static partial void LogModelError(ILogger logger, string jobId, int attempt, int status);
}

/// <summary>Checks this attempt's draft against the schema and the snapshot's sequence numbers.</summary>
public sealed partial class ValidateActivity(SummaryStore store, ILogger<ValidateActivity> logger) : WorkflowActivity<AttemptInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, AttemptInput input)
    {
        var draft = await store.GetDraftAsync(input.JobId, input.Attempt, CancellationToken.None) ?? throw new InvalidOperationException("draft missing");
        var snapshot = await store.GetRedactedAsync(input.JobId, CancellationToken.None) ?? throw new InvalidOperationException("redacted copy missing");
        var result = SummaryValidator.Validate(draft.Text, snapshot.Lines.Select(l => l.Sequence).ToHashSet());
        if (!result.IsValid)
        {
            LogRejected(logger, input.JobId, input.Attempt, result.Problem!);
            return new(SummaryFailureReasons.InvalidOutput);
        }

        return new();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Summary {JobId}: attempt {Attempt}'s output rejected: {Problem}")]
    private static partial void LogRejected(ILogger logger, string jobId, int attempt, string problem);
}

/// <summary>Stores the validated draft with its provenance, once, and links it to the student's key.</summary>
public sealed class StoreSummaryActivity(SummaryStore store) : WorkflowActivity<AttemptInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, AttemptInput input)
    {
        var job = await store.GetJobAsync(input.JobId, CancellationToken.None) ?? throw new InvalidOperationException("job missing");
        var draft = await store.GetDraftAsync(input.JobId, input.Attempt, CancellationToken.None) ?? throw new InvalidOperationException("draft missing");
        var redacted = await store.GetRedactedAsync(input.JobId, CancellationToken.None) ?? throw new InvalidOperationException("redacted copy missing");
        var content = SummaryValidator.Validate(draft.Text, redacted.Lines.Select(l => l.Sequence).ToHashSet()).Content
            ?? throw new InvalidOperationException("draft no longer valid");
        await store.StoreSummaryAsync(new StoredSummary(job.JobId, job.SessionId, job.StudentKey, content,
            new SummaryProvenance(draft.Model, SummaryPrompt.Version, redacted.RedactionCount, job.JobId, job.RequestedAt, draft.GeneratedAt,
                job.EarlierSummaryIds ?? [], draft.Offline)), CancellationToken.None);
        return new();
    }
}

/// <summary>Marks the job completed or failed and tells the counsellor's dashboard (through notify) by event.</summary>
public sealed class PublishOutcomeActivity(SummaryStore store, DaprClient dapr, TimeProvider time) : WorkflowActivity<OutcomeInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OutcomeInput input)
    {
        var now = time.GetUtcNow();
        var status = input.FailReason is null ? SummaryStatuses.Completed : SummaryStatuses.Failed;
        var job = await store.UpdateJobAsync(input.JobId, j => j.Status is SummaryStatuses.Completed or SummaryStatuses.Failed ? j
            : j with { Status = status, Reason = input.FailReason, UpdatedAt = now }, CancellationToken.None) ?? throw new InvalidOperationException("job missing");
        if (input.FailReason is null)
        {
            await dapr.PublishEventAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryReady,
                new SummaryReadyEvent(job.JobId, job.SessionId, job.RequestedBy, job.UpdatedAt));
        }
        else
        {
            await dapr.PublishEventAsync(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryFailed,
                new SummaryFailedEvent(job.JobId, job.SessionId, job.RequestedBy, job.Reason ?? input.FailReason, job.UpdatedAt));
        }

        return new();
    }
}
