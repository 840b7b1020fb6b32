using System.Net;
using DaprChat.Dapr.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace DaprChat.Dapr.Tests;

/// <summary>Against a real socket: what HttpClient puts on the wire is what daprd would see.</summary>
public sealed class WireFidelityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bare_etags_survive_the_wire_both_ways_and_keys_arrive_escaped_as_go_expects()
    {
        var seen = new List<string>();
        await using var sidecar = await TestApp.StartAsync(_ => { }, app =>
        {
            app.Run(async context =>
            {
                var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
                lock (seen)
                {
                    seen.Add($"{context.Request.Method} {target} If-Match={context.Request.Headers.IfMatch}");
                }

                if (HttpMethods.IsGet(context.Request.Method))
                {
                    // daprd's etag header is bare (a Redis version number), which .NET's typed ETag parser rejects.
                    context.Response.Headers.ETag = "12";
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("\"v\"", Ct);
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status204NoContent;
            });
        }, kestrel: true);
        var client = new DaprClient(new HttpClient(), new DaprClientOptions { HttpEndpoint = sidecar.Client.BaseAddress! });

        var (value, etag) = await client.GetStateAndETagAsync<string>("chatstore", "session:1 x", cancellationToken: Ct);
        await client.DeleteStateAsync("chatstore", "session:1 x", etag, cancellationToken: Ct);

        Assert.Equal("v", value);
        Assert.Equal("12", etag);
        Assert.Equal(
        [
            "GET /v1.0/state/chatstore/session:1%20x If-Match=",
            "DELETE /v1.0/state/chatstore/session:1%20x If-Match=12",
        ], seen);
    }

    [Fact]
    public async Task A_real_kestrel_app_answers_500_for_an_unhandled_exception_so_the_status_daprd_sees_is_not_a_guess()
    {
        await using var app = await TestApp.StartAsync(_ => { }, a => a.MapGet("/boom", IResult () => throw new InvalidOperationException()), kestrel: true);

        using var response = await app.Client.GetAsync("/boom", Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }
}
