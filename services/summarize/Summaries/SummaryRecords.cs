using DaprChat.Contracts;

namespace DaprChat.Summarize.Summaries;

/// <summary>One summary request as summarize tracks it (key <c>job|{jobId}</c>). The student is an opaque key.</summary>
public sealed record SummaryJob(
    string JobId,
    string SessionId,
    string StudentKey,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string Status,
    DateTimeOffset UpdatedAt,
    string? Reason = null,
    IReadOnlyList<string>? EarlierSummaryIds = null,
    int RedactionCount = 0);

/// <summary>One transcript line as summarize keeps it: the role, never the sender's id.</summary>
public sealed record TranscriptLine(long Sequence, string Role, string Text, DateTimeOffset SentAt);

/// <summary>The transcript as chat served it when the job began (key <c>transcript|{jobId}</c>, with a TTL).</summary>
public sealed record TranscriptSnapshot(string JobId, IReadOnlyList<TranscriptLine> Lines, DateTimeOffset TakenAt);

/// <summary>The redacted transcript that may leave summarize (key <c>redacted|{jobId}</c>, with a TTL).</summary>
public sealed record RedactedTranscript(string JobId, IReadOnlyList<TranscriptLine> Lines, int RedactionCount);

/// <summary>A model answer waiting for validation (key <c>draft|{jobId}</c>, with a TTL).</summary>
public sealed record GeneratedDraft(string JobId, int Attempt, string Model, string Text, DateTimeOffset GeneratedAt, bool Offline);

/// <summary>A stored summary (key <c>summary|{jobId}</c>).</summary>
public sealed record StoredSummary(
    string JobId,
    string SessionId,
    string StudentKey,
    SummaryContent Content,
    SummaryProvenance Provenance,
    bool Reviewed = false,
    DateTimeOffset? ReviewedAt = null,
    DateTimeOffset? EditedAt = null)
{
    public SummaryView ToView() => new(JobId, SessionId, Content, Provenance,
        Reviewed ? SummaryLabels.Reviewed : Provenance.Offline ? SummaryLabels.OfflineDraft : SummaryLabels.Draft,
        Reviewed, ReviewedAt, EditedAt);
}
