namespace DaprChat.Summarize.Summaries;

/// <summary>Section <c>Summarize</c>.</summary>
public sealed class SummaryOptions
{
    /// <summary>How long the transcript snapshot, redacted copy and model drafts stay in summarystore (retries read them).</summary>
    public TimeSpan WorkingCopyTtl { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How many earlier summaries of the student go into the prompt (newest first).</summary>
    public int HistoryInPrompt { get; set; } = 5;

    /// <summary>Names redacted from transcripts before anything leaves (whole words, case-insensitive).</summary>
    public IList<string> RedactedNames { get; } = [];

    /// <summary>Generation retries (the workflow's own; each HTTP call also has its in-process retries).</summary>
    public Workflow.GenerationRetrySettings Retry { get; set; } = new();
}
