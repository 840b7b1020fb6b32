using System.Net;
using DaprChat.Chat.Testing;
using DaprChat.Testing;
using Xunit;

namespace DaprChat.Notify.Tests.Integration;

[Collection(NotifyCollection.Name)]
public sealed class SidecarOnlyRouteTests(NotifyWorld world)
{
    [Theory]
    [InlineData("notify")]
    [InlineData("main")]
    public void Every_route_served_to_Dapr_is_sidecar_only_and_listed_for_the_outside_walks(string appId)
    {
        var problems = SidecarOnlyCheck.Problems(appId == "main" ? world.MainServices : world.NotifyServices, appId).ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task An_outside_caller_gets_401_from_every_sidecar_only_route_of_notify_and_mains_device_routes()
    {
        foreach (var (appId, client) in new[] { ("notify", world.Notify[0]), ("main", world.Main) })
        {
            foreach (var route in SidecarOnlyRoutes.ByApp[appId])
            {
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
                request.Headers.Add("dapr-api-token", "not-the-token");
                if (route.Method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{appId} {route.Method} {route.Path}: {(int)response.StatusCode}");
            }
        }
    }
}
