using DaprChat.Contracts;

namespace DaprChat.Summarize.Workflow;

/// <summary>How one generation attempt ended, as the workflow sees it (no text).</summary>
public static class GenerationOutcomes
{
    public const string Generated = "generated";
    public const string Throttled = "throttled";
    public const string Unavailable = "unavailable";
    public const string Rejected = "rejected";
    public const string Invalid = "invalid";
}

/// <summary>Retry settings for generation, carried in the workflow's input so every replay decides alike.</summary>
public sealed record GenerationRetrySettings
{
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(10);

    public double Coefficient { get; init; } = 2;

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest Retry-After the workflow waits; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>Wait and try again, or give up with a reason.</summary>
public sealed record RetryDecision(bool Retry, TimeSpan Delay, string? FailReason)
{
    public static RetryDecision GiveUp(string reason) => new(false, TimeSpan.Zero, reason);
}

/// <summary>
/// The workflow's choice after a failed generation attempt: exponential back-off with a cap; a 429's Retry-After
/// (capped too) wins over the back-off; a refusal is final; the last attempt gives up with the outcome's reason.
/// The wait is a durable workflow timer, so a long Retry-After holds no thread and survives a restart.
/// </summary>
public static class GenerationRetryPolicy
{
    public static RetryDecision Decide(GenerationRetrySettings settings, string outcome, int attempt, TimeSpan? retryAfter)
    {
        var reason = outcome switch
        {
            GenerationOutcomes.Invalid => SummaryFailureReasons.InvalidOutput,
            GenerationOutcomes.Rejected => SummaryFailureReasons.ModelRejected,
            _ => SummaryFailureReasons.ModelUnavailable,
        };
        if (outcome == GenerationOutcomes.Rejected || attempt >= settings.MaxAttempts)
        {
            return RetryDecision.GiveUp(reason);
        }

        var backOff = TimeSpan.FromTicks((long)Math.Min(settings.MaxDelay.Ticks, settings.FirstDelay.Ticks * Math.Pow(settings.Coefficient, attempt - 1)));
        var delay = outcome == GenerationOutcomes.Throttled && retryAfter is { } after
            ? TimeSpan.FromTicks(Math.Min(Math.Max(after.Ticks, 0), settings.MaxRetryAfter.Ticks))
            : backOff;
        return new RetryDecision(true, delay, null);
    }
}
