using DaprChat.Chat.Testing;
using DaprChat.Main.Tests.Infrastructure;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

[Collection(MainCollection.Name)]
public sealed class SidecarOnlyRouteTests(MainFixture fixture)
{
    [Fact]
    public void Every_route_main_serves_to_Dapr_is_sidecar_only_and_listed_for_the_outside_walks()
    {
        var problems = SidecarOnlyCheck.Problems(fixture.Main.Services, "main").ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
