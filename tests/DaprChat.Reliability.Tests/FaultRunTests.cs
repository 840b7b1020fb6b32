using Xunit;

namespace DaprChat.Reliability.Tests;

public class FaultRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_network_cuts_and_Redis_restarts_and_pauses_no_acknowledged_message_is_lost_doubled_or_reordered()
    {
        var report = await FaultRun.RunAsync(new FaultRunOptions(Seed: 17, Sessions: 10, MessagesPerSecond: 30, Duration: TimeSpan.FromSeconds(30)), output.WriteLine);
        output.WriteLine(report.ToString());
        Assert.True(report.Faults >= 3, report.ToString());
        Assert.True(report.Acknowledged > 0, report.ToString());
        Assert.True(report.Ok, report.ToString());
    }
}
