using System.Net;
using System.Text;
using LocalDapr.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>Service invocation by app id passes verb, path, query, headers and status through, as daprd does.</summary>
public sealed class InvocationTests
{
    [Fact]
    public async Task An_invocation_reaches_the_app_with_verb_path_query_headers_and_caller_id()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (chat, _) = await runtime.AddAppAsync("chat", app => app.OnJson("PATCH /sessions/s1/transcript", """{"ok":true}""", 202));
        var main = await runtime.AddSidecarAsync("main", null);

        using var request = new HttpRequestMessage(HttpMethod.Patch, main.HttpEndpoint + "/v1.0/invoke/chat/method/sessions/s1/transcript?from=3&to=9")
        {
            Content = new StringContent("""{"a":1}""", Encoding.UTF8, "application/json"),
            Headers = { { "X-Custom", "yes" } },
        };
        var response = await runtime.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
        var received = chat.ReceivedOn("PATCH", "/sessions/s1/transcript").Single();
        Assert.Equal("?from=3&to=9", received.Query);
        Assert.Equal("""{"a":1}""", received.BodyText);
        Assert.Equal("yes", received.Headers["x-custom"]);
        Assert.Equal("main", received.Headers["dapr-caller-app-id"]);
        Assert.Equal("chat", received.Headers["dapr-callee-app-id"]);
    }

    [Fact]
    public async Task An_app_that_answers_500_yields_its_own_status_headers_and_body_unwrapped()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        await runtime.AddAppAsync("chat", app => app.On("GET /fail", async (context, _) =>
        {
            context.Response.StatusCode = 500;
            context.Response.Headers["X-Reason"] = "broken";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("the app broke");
        }));
        var main = await runtime.AddSidecarAsync("main", null);

        var response = await runtime.Http.GetAsync(main.HttpEndpoint + "/v1.0/invoke/chat/method/fail");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("the app broke", await response.Content.ReadAsStringAsync());
        Assert.Equal("broken", response.Headers.GetValues("X-Reason").Single());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_dapr_app_id_header_routes_the_whole_path_to_that_app()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var (chat, _) = await runtime.AddAppAsync("chat", app => app.OnJson("GET /api/health", "{}"));
        var main = await runtime.AddSidecarAsync("main", null);

        using var request = new HttpRequestMessage(HttpMethod.Get, main.HttpEndpoint + "/api/health") { Headers = { { "dapr-app-id", "chat" } } };
        var response = await runtime.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(chat.Received.Single(r => r.Path == "/api/health").Headers.ContainsKey("dapr-app-id"));
    }

    [Fact]
    public async Task An_unknown_app_id_is_a_500_and_an_unknown_route_a_404_direct_invoke_error()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var main = await runtime.AddSidecarAsync("main", null);

        var unknownApp = await runtime.Http.GetAsync(main.HttpEndpoint + "/v1.0/invoke/nobody/method/x");
        var unknownRoute = await runtime.Http.GetAsync(main.HttpEndpoint + "/v1.0/nothing/here");
        var wrongVerb = await runtime.Http.DeleteAsync(main.HttpEndpoint + "/v1.0/publish/events/t");

        var error = await unknownApp.ShouldBeDaprErrorAsync(500, "ERR_DIRECT_INVOKE");
        Assert.Contains("couldn't find service: nobody", error["message"]!.GetValue<string>());
        await unknownRoute.ShouldBeDaprErrorAsync(404, "ERR_DIRECT_INVOKE");
        await wrongVerb.ShouldBeDaprErrorAsync(404, "ERR_DIRECT_INVOKE");
    }

    [Fact]
    public async Task Dapr_apis_that_local_dapr_does_not_implement_answer_501()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var main = await runtime.AddSidecarAsync("main", null);

        var jobs = await runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0-alpha1/jobs/nightly", "{}");
        var binding = await runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0/bindings/queue", "{}");
        var query = await runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0-alpha1/state/chatstore/query", "{}");

        await jobs.ShouldBeDaprErrorAsync(501, "ERR_NOT_IMPLEMENTED");
        await binding.ShouldBeDaprErrorAsync(501, "ERR_NOT_IMPLEMENTED");
        await query.ShouldBeDaprErrorAsync(501, "ERR_NOT_IMPLEMENTED");
    }
}
