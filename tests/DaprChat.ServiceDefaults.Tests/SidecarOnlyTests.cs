using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DaprChat.ServiceDefaults.Tests;

public sealed class SidecarOnlyTests
{
    private const string Token = "app-secret";

    private static Task<TestHostApp> StartAsync(string? appApiToken, string environment = "Development") =>
        TestHostApp.StartAsync(environment, appApiToken, app =>
        {
            app.MapGet("/internal/lookup", () => "internal").RequireDaprSidecar();
            app.MapPost("/events/thing", () => TypedResults.Ok(TopicResponse.Success)).WithDaprTopic("events", "thing", "app.dead-letter");
            app.MapGet("/public", () => "public");
        });

    private static async Task<HttpStatusCode> SendAsync(TestHostApp app, HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("""{"specversion":"1.0","id":"1","source":"x","type":"t","data":{}}""", Encoding.UTF8, "application/cloudevents+json");
        }

        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    public static TheoryData<string, string> SidecarRoutes => new()
    {
        { "GET", "/internal/lookup" },
        { "POST", "/events/thing" },
        { "GET", "/dapr/subscribe" },
        { "POST", "/dapr/dead-letters/events" },
    };

    [Theory]
    [MemberData(nameof(SidecarRoutes))]
    public async Task A_sidecar_only_route_answers_401_without_the_app_token_or_with_a_wrong_one_and_serves_the_right_one(string method, string path)
    {
        await using var app = await TestHostApp.StartAsync("Development", Token, a =>
        {
            a.MapGet("/internal/lookup", () => "internal").RequireDaprSidecar();
            a.MapPost("/events/thing", () => TypedResults.Ok(TopicResponse.Success)).WithDaprTopic("events", "thing", "app.dead-letter");
            a.MapDeadLetters("app.dead-letter", "events");
        });
        var verb = new HttpMethod(method);

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(app, verb, path, token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(app, verb, path, "app-secreT"));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(app, verb, path, Token));
    }

    [Fact]
    public async Task Without_an_app_token_configured_a_sidecar_only_route_refuses_everyone_instead_of_letting_everyone_in()
    {
        await using var app = await StartAsync(appApiToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(app, HttpMethod.Get, "/internal/lookup", token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(app, HttpMethod.Get, "/internal/lookup", ""));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(app, HttpMethod.Post, "/events/thing", "anything"));
    }

    [Theory]
    [InlineData("/public")]
    [InlineData("/healthz")]
    public async Task Browser_routes_and_the_health_probe_need_no_token(string path)
    {
        await using var app = await StartAsync(Token);

        Assert.Equal(HttpStatusCode.OK, await SendAsync(app, HttpMethod.Get, path, token: null));
    }

    [Fact]
    public async Task Outside_development_an_app_without_APP_API_TOKEN_refuses_to_start_and_says_why()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(appApiToken: null, environment: "Production"));

        Assert.Contains("APP_API_TOKEN is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("dapr.io/app-token-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_an_app_without_APP_API_TOKEN_starts_with_a_loud_warning()
    {
        await using var app = await StartAsync(appApiToken: null);

        Assert.Contains(app.Logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("APP_API_TOKEN is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_APP_API_TOKEN_set_an_app_starts_outside_development_without_a_warning()
    {
        await using var app = await StartAsync(Token, environment: "Production");

        Assert.DoesNotContain(app.Logs.Lines, l => l.Text.Contains("APP_API_TOKEN", StringComparison.Ordinal));
    }
}
