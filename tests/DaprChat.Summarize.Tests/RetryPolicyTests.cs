using Xunit;
using DaprChat.Contracts;
using DaprChat.Summarize.Workflow;

namespace DaprChat.Summarize.Tests;

public sealed class RetryPolicyTests
{
    private static readonly GenerationRetrySettings Settings = new()
    {
        MaxAttempts = 6, FirstDelay = TimeSpan.FromSeconds(10), Coefficient = 2, MaxDelay = TimeSpan.FromSeconds(60), MaxRetryAfter = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public void The_back_off_doubles_with_each_attempt_up_to_its_cap()
    {
        var delays = Enumerable.Range(1, 5).Select(a => GenerationRetryPolicy.Decide(Settings, GenerationOutcomes.Unavailable, a, null).Delay.TotalSeconds);
        Assert.Equal([10d, 20, 40, 60, 60], delays);
    }

    [Fact]
    public void A_retry_after_from_a_429_wins_over_the_back_off()
    {
        var decision = GenerationRetryPolicy.Decide(Settings, GenerationOutcomes.Throttled, 1, TimeSpan.FromSeconds(95));
        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromSeconds(95), decision.Delay);
    }

    [Fact]
    public void A_retry_after_longer_than_the_cap_is_cut_to_the_cap()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), GenerationRetryPolicy.Decide(Settings, GenerationOutcomes.Throttled, 1, TimeSpan.FromHours(1)).Delay);
    }

    [Theory]
    [InlineData(GenerationOutcomes.Unavailable, SummaryFailureReasons.ModelUnavailable)]
    [InlineData(GenerationOutcomes.Throttled, SummaryFailureReasons.ModelUnavailable)]
    [InlineData(GenerationOutcomes.Invalid, SummaryFailureReasons.InvalidOutput)]
    public void The_last_attempt_gives_up_with_the_reason_of_its_outcome(string outcome, string reason)
    {
        var decision = GenerationRetryPolicy.Decide(Settings, outcome, Settings.MaxAttempts, null);
        Assert.False(decision.Retry);
        Assert.Equal(reason, decision.FailReason);
    }

    [Fact]
    public void A_refusal_by_the_model_is_not_retried()
    {
        Assert.Equal(SummaryFailureReasons.ModelRejected, GenerationRetryPolicy.Decide(Settings, GenerationOutcomes.Rejected, 1, null).FailReason);
    }
}
