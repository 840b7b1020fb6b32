namespace DaprChat.Dapr.Tests;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(5_000, "5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(86_400_000, "24h0m0s")]
    [InlineData(-2_000, "-2s")]
    public void Durations_are_formatted_as_gos_Duration_String(long milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0h0m5s0ms", 5_000)]
    [InlineData("0", 0)]
    [InlineData("PT1H30M", 5_400_000)]
    [InlineData("PT0.5S", 500)]
    [InlineData("@every 1m0s", 60_000)]
    [InlineData("R5/PT1M", 60_000)]
    public void Go_iso8601_and_scheduler_durations_parse(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("1d")]
    [InlineData("5")]
    [InlineData("s")]
    public void Text_that_go_would_reject_does_not_parse(string text) =>
        Assert.False(GoDuration.TryParse(text, out _));
}
