using DaprChat.Chat.Testing;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

public sealed class SidecarOnlyRouteTests(MemoryChatWorld world) : IClassFixture<MemoryChatWorld>
{
    [Fact]
    public void Every_route_chat_serves_to_Dapr_is_sidecar_only_and_listed_for_the_outside_walks()
    {
        var problems = SidecarOnlyCheck.Problems(world.ChatServices(), "chat").ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
