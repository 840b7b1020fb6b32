using System.Net;
using DaprChat.Dapr.Actors;
using DaprChat.Dapr.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.Dapr.Tests;

public sealed class SidecarTokenTests
{
    private static Task<TestApp> StartAsync(string appApiToken) =>
        TestApp.StartAsync(builder =>
        {
            builder.Services.AddSingleton(new FakeSidecar().CreateClient());
            builder.Services.AddActors(o => o.RegisterActor<PlainActor>("Plain", m => m.Map("noop", (_, _) => Task.CompletedTask)));
        }, app =>
        {
            app.UseCloudEvents();
            app.MapSubscribeHandler();
            app.MapActorsHandlers();
            app.MapDaprHealth();
            app.MapPost("/events/ended", () => TopicResults.Success()).WithTopic("events", "chat.session-ended");
            app.MapGet("/internal/summaries", () => Results.Ok("internal")).RequireDaprSidecar();
            app.MapGet("/public", () => Results.Ok("public"));
        }, new Dictionary<string, string?> { ["APP_API_TOKEN"] = appApiToken });

    public static TheoryData<string, string> SidecarRoutes => new()
    {
        { "GET", "/dapr/subscribe" },
        { "GET", "/dapr/config" },
        { "PUT", "/actors/Plain/a/method/noop" },
        { "DELETE", "/actors/Plain/a" },
        { "POST", "/events/ended" },
        { "GET", "/internal/summaries" },
    };

    [Theory]
    [MemberData(nameof(SidecarRoutes))]
    public async Task With_APP_API_TOKEN_set_a_sidecar_route_answers_401_unless_dapr_api_token_matches(string method, string path)
    {
        await using var app = await StartAsync("app-secret");
        var verb = new HttpMethod(method);

        using var missing = await app.SendAsync(verb, path, "{}");
        using var wrong = await app.SendAsync(verb, path, "{}", headers: ("dapr-api-token", "app-secreT"));
        using var right = await app.SendAsync(verb, path, "{}", headers: ("dapr-api-token", "app-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Theory]
    [InlineData("/public")]
    [InlineData("/healthz")]
    public async Task Browser_facing_routes_and_the_health_probe_ignore_APP_API_TOKEN(string path)
    {
        await using var app = await StartAsync("app-secret");

        using var response = await app.SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_APP_API_TOKEN_sidecar_routes_need_no_header()
    {
        await using var app = await StartAsync("");

        using var response = await app.SendAsync(HttpMethod.Get, "/dapr/subscribe");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
