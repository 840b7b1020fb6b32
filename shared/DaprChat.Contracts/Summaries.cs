namespace DaprChat.Contracts;

// What main and summarize say to each other about session summaries (summarize's /summaries/** routes, main only).
// Summarize never learns an account: a student is an opaque key, a counsellor an id it only echoes back.
// Add fields; never rename them.

/// <summary>The states of a summary job, as the counsellor follows them.</summary>
public static class SummaryStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>Why a summary job failed (the <c>reason</c> of <see cref="SummaryFailedEvent"/> and of the job's status).</summary>
public static class SummaryFailureReasons
{
    /// <summary>chat had no transcript (the session is unknown, expired or erased).</summary>
    public const string TranscriptUnavailable = "transcript_unavailable";

    /// <summary>The transcript has no messages to summarise.</summary>
    public const string EmptyTranscript = "empty_transcript";

    /// <summary>The model kept answering off-schema or citing messages that do not exist.</summary>
    public const string InvalidOutput = "invalid_output";

    /// <summary>The model kept answering 429 or 5xx, or timing out, until the last retry.</summary>
    public const string ModelUnavailable = "model_unavailable";

    /// <summary>The model refused the request (4xx other than 429: bad credentials, a bad request, blocked content).</summary>
    public const string ModelRejected = "model_rejected";

    /// <summary>Something else failed after its retries (state store, pub/sub).</summary>
    public const string Internal = "internal_error";
}

/// <summary>One risk indicator, resting on the message sequence numbers it cites.</summary>
public sealed record SummaryRiskIndicator(string Indicator, IReadOnlyList<long> Citations);

/// <summary>The structured summary (the model's response schema, and what the counsellor may edit).</summary>
public sealed record SummaryContent(
    IReadOnlyList<string> PresentingConcerns,
    IReadOnlyList<SummaryRiskIndicator> RiskIndicators,
    string ChangeSinceLastSummary,
    IReadOnlyList<string> SuggestedFollowUp,
    string Narrative);

/// <summary>Where a summary came from.</summary>
public sealed record SummaryProvenance(
    string Model,
    string PromptVersion,
    int RedactionCount,
    string RequestId,
    DateTimeOffset RequestedAt,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<string> EarlierSummaryIds,
    bool Offline);

/// <summary>A stored summary as main shows it. <see cref="Label"/> says "AI draft — not reviewed" until reviewed.</summary>
public sealed record SummaryView(
    string JobId,
    string SessionId,
    SummaryContent Content,
    SummaryProvenance Provenance,
    string Label,
    bool Reviewed,
    DateTimeOffset? ReviewedAt,
    DateTimeOffset? EditedAt);

/// <summary>A summary job's status, with the summary once it is completed.</summary>
public sealed record SummaryJobView(
    string JobId,
    string SessionId,
    string Status,
    string? Reason,
    DateTimeOffset RequestedAt,
    DateTimeOffset UpdatedAt,
    SummaryView? Summary);

/// <summary>The student's earlier summaries, newest first.</summary>
public sealed record SummaryHistory(IReadOnlyList<SummaryView> Summaries);

/// <summary>The counsellor's edit of a summary's content.</summary>
public sealed record SummaryEdit(SummaryContent Content);

/// <summary>Labels of a stored summary.</summary>
public static class SummaryLabels
{
    public const string Draft = "AI draft — not reviewed";
    public const string OfflineDraft = "Offline extractive draft (no AI model) — not reviewed";
    public const string Reviewed = "Reviewed by the counsellor";
}
