using Dapr.Client;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;

namespace DaprChat.Summarize.Summaries;

/// <summary>
/// summarystore, encrypted at rest by the sidecar (primaryEncryptionKey). Jobs, summaries and the two indexes
/// (by session and by student key) are kept forever; working copies (transcript, redacted copy, drafts) expire.
/// </summary>
public sealed class SummaryStore(DaprClient dapr, IOptions<SummaryOptions> options)
{
    private const string Store = DaprNames.StateStores.Summaries;

    // With an empty ETag, first-write means "only if absent"; with one, "only if unchanged".
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public static string JobKey(string jobId) => "job|" + jobId;

    public static string SummaryKey(string jobId) => "summary|" + jobId;

    public Task<SummaryJob?> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        GetAsync<SummaryJob>(JobKey(jobId), cancellationToken);

    /// <summary>Records a new job; false if it was recorded before (a redelivered request).</summary>
    public async Task<bool> TryCreateJobAsync(SummaryJob job, CancellationToken cancellationToken)
    {
        var created = await dapr.TrySaveStateAsync(Store, JobKey(job.JobId), job, "",
            FirstWrite, cancellationToken: cancellationToken);
        if (created)
        {
            await AddToIndexAsync("session|" + job.SessionId, job.JobId, cancellationToken);
        }

        return created;
    }

    /// <summary>Changes a job under its ETag, so two activities never lose each other's change.</summary>
    public async Task<SummaryJob?> UpdateJobAsync(string jobId, Func<SummaryJob, SummaryJob> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (job, etag) = await dapr.GetStateAndETagAsync<SummaryJob?>(Store, JobKey(jobId), cancellationToken: cancellationToken);
            if (job is null)
            {
                return null;
            }

            var changed = change(job);
            if (changed == job || await dapr.TrySaveStateAsync(Store, JobKey(jobId), changed, etag, FirstWrite, cancellationToken: cancellationToken))
            {
                return changed;
            }
        }
    }

    public async Task<IReadOnlyList<string>> JobsOfSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        await GetAsync<List<string>>("session|" + sessionId, cancellationToken) ?? [];

    public async Task<IReadOnlyList<string>> SummariesOfStudentAsync(string studentKey, CancellationToken cancellationToken) =>
        await GetAsync<List<string>>("student|" + studentKey, cancellationToken) ?? [];

    public Task<TranscriptSnapshot?> GetTranscriptAsync(string jobId, CancellationToken cancellationToken) =>
        GetAsync<TranscriptSnapshot>("transcript|" + jobId, cancellationToken);

    public Task SaveTranscriptAsync(TranscriptSnapshot snapshot, CancellationToken cancellationToken) =>
        SaveWorkingCopyAsync("transcript|" + snapshot.JobId, snapshot, cancellationToken);

    public Task<RedactedTranscript?> GetRedactedAsync(string jobId, CancellationToken cancellationToken) =>
        GetAsync<RedactedTranscript>("redacted|" + jobId, cancellationToken);

    public Task SaveRedactedAsync(RedactedTranscript redacted, CancellationToken cancellationToken) =>
        SaveWorkingCopyAsync("redacted|" + redacted.JobId, redacted, cancellationToken);

    public Task<GeneratedDraft?> GetDraftAsync(string jobId, int attempt, CancellationToken cancellationToken) =>
        GetAsync<GeneratedDraft>($"draft|{jobId}|{attempt}", cancellationToken);

    public Task SaveDraftAsync(GeneratedDraft draft, CancellationToken cancellationToken) =>
        SaveWorkingCopyAsync($"draft|{draft.JobId}|{draft.Attempt}", draft, cancellationToken);

    public Task<StoredSummary?> GetSummaryAsync(string jobId, CancellationToken cancellationToken) =>
        GetAsync<StoredSummary>(SummaryKey(jobId), cancellationToken);

    /// <summary>Stores the summary once: a retried store activity keeps what the first one wrote (and any edit since).</summary>
    public async Task StoreSummaryAsync(StoredSummary summary, CancellationToken cancellationToken)
    {
        await dapr.TrySaveStateAsync(Store, SummaryKey(summary.JobId), summary, "",
            FirstWrite, cancellationToken: cancellationToken);
        await AddToIndexAsync("student|" + summary.StudentKey, summary.JobId, cancellationToken);
    }

    public Task SaveSummaryAsync(StoredSummary summary, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(Store, SummaryKey(summary.JobId), summary, cancellationToken: cancellationToken);

    public async Task DeleteSummaryAsync(StoredSummary summary, CancellationToken cancellationToken)
    {
        await dapr.DeleteStateAsync(Store, SummaryKey(summary.JobId), cancellationToken: cancellationToken);
        await RemoveFromIndexAsync("student|" + summary.StudentKey, summary.JobId, cancellationToken);
    }

    private async Task<T?> GetAsync<T>(string key, CancellationToken cancellationToken) where T : class =>
        await dapr.GetStateAsync<T?>(Store, key, cancellationToken: cancellationToken);

    private Task SaveWorkingCopyAsync<T>(string key, T value, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(Store, key, value, metadata: new Dictionary<string, string>
        {
            ["ttlInSeconds"] = ((long)options.Value.WorkingCopyTtl.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, cancellationToken: cancellationToken);

    private Task AddToIndexAsync(string key, string jobId, CancellationToken cancellationToken) =>
        ChangeIndexAsync(key, ids => ids.Contains(jobId, StringComparer.Ordinal) ? null : [.. ids, jobId], cancellationToken);

    private Task RemoveFromIndexAsync(string key, string jobId, CancellationToken cancellationToken) =>
        ChangeIndexAsync(key, ids => ids.Contains(jobId, StringComparer.Ordinal) ? ids.Where(id => id != jobId).ToList() : null, cancellationToken);

    // Indexes change under their ETag: two jobs of one student finishing together both land.
    private async Task ChangeIndexAsync(string key, Func<List<string>, List<string>?> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (ids, etag) = await dapr.GetStateAndETagAsync<List<string>?>(Store, key, cancellationToken: cancellationToken);
            var changed = change(ids ?? []);
            if (changed is null || await dapr.TrySaveStateAsync(Store, key, changed, etag ?? "", FirstWrite, cancellationToken: cancellationToken))
            {
                return;
            }
        }
    }
}
