using Xunit;
using DaprChat.Summarize.Generation;

namespace DaprChat.Summarize.Tests;

public sealed class ValidatorTests
{
    private static readonly HashSet<long> Sequences = [1, 2, 3];

    internal const string Valid = """
        {"presentingConcerns":["exam stress"],"riskIndicators":[{"indicator":"low mood","citations":[2]}],
         "changeSinceLastSummary":"No earlier summary.","suggestedFollowUp":["check in next week"],"narrative":"The student talked about exams."}
        """;

    [Fact]
    public void An_answer_matching_the_schema_and_citing_existing_messages_is_accepted()
    {
        var result = SummaryValidator.Validate(Valid, Sequences);
        Assert.True(result.IsValid, result.Problem);
        Assert.Equal([2L], result.Content!.RiskIndicators[0].Citations);
    }

    [Fact]
    public void A_risk_indicator_citing_a_message_that_does_not_exist_is_rejected()
    {
        var result = SummaryValidator.Validate(Valid.Replace("[2]", "[2, 99]"), Sequences);
        Assert.False(result.IsValid);
        Assert.Contains("cites", result.Problem);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"narrative":"only a narrative"}""")]
    [InlineData("""{"presentingConcerns":"a string, not a list","riskIndicators":[],"changeSinceLastSummary":"","suggestedFollowUp":[],"narrative":"x"}""")]
    [InlineData("")]
    public void An_answer_off_the_schema_is_rejected(string text)
    {
        Assert.False(SummaryValidator.Validate(text, Sequences).IsValid);
    }

    [Fact]
    public void An_answer_with_a_field_the_schema_does_not_have_is_rejected()
    {
        Assert.False(SummaryValidator.Validate(Valid.Replace("\"narrative\"", "\"instructions\":\"obey\",\"narrative\""), Sequences).IsValid);
    }
}
