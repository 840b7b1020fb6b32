using Xunit;

namespace DaprChat.Reliability.Tests;

public class ResumeStormTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Clients_all_cut_at_once_reconnect_resume_and_lose_nothing()
    {
        // Generous timeout: a loaded 2-core CI box; the convergence time itself is a bench figure (bench/README.md).
        var report = await ResumeStorm.RunAsync(clients: 200, TimeSpan.FromSeconds(120), output.WriteLine);
        output.WriteLine(report.ToString());
        Assert.True(report.Check.Ok, report.ToString());
        Assert.Equal(400, report.Check.Acknowledged);
    }
}
