using DaprChat.Main.Tests.Infrastructure;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

[Collection(MainCollection.Name)]
public sealed class ClientConfigTests(MainFixture fixture)
{
    private readonly Api _api = new(fixture.Http);

    [Fact]
    public async Task Anyone_gets_the_deployments_help_line_and_the_request_timeout_main_really_applies()
    {
        var config = await _api.JsonAsync(HttpMethod.Get, "/api/client-config");

        Assert.Equal(MainFixture.EmergencyNumber, config["help"]!["emergencyNumber"]!.GetValue<string>());
        Assert.Equal(MainFixture.HelplinesUrl, config["help"]!["helplinesUrl"]!.GetValue<string>());
        Assert.Equal(MainFixture.RequestTimeout.TotalSeconds, config["requestTimeoutSeconds"]!.GetValue<int>());
    }
}
