using System.Net;
using DaprChat.Dapr.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace DaprChat.Dapr.Tests;

public sealed class DaprClientErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dapr_error_json_becomes_a_DaprApiException_with_daprds_code_status_and_message()
    {
        const string body = """{"errorCode":"ERR_STATE_STORE_NOT_FOUND","message":"state store nope is not found","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"DAPR_STATE_NOT_FOUND","domain":"dapr.io"}]}""";
        var sidecar = new FakeSidecar { Responder = _ => FakeSidecar.Json(HttpStatusCode.BadRequest, body) };

        var error = await Assert.ThrowsAsync<DaprApiException>(() => sidecar.CreateClient().GetStateAsync<int>("nope", "k", cancellationToken: Ct));

        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("state store nope is not found", error.Message);
        Assert.Equal(body, error.ResponseBody);
    }

    [Fact]
    public async Task Daprds_plain_text_api_token_rejection_becomes_HTTP_401_with_its_text_as_message()
    {
        var sidecar = new FakeSidecar { Responder = _ => FakeSidecar.Text(HttpStatusCode.Unauthorized, "invalid api token\n") };

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            sidecar.CreateClient("wrong").PublishEventAsync("events", "t", new { a = 1 }, cancellationToken: Ct));

        Assert.Equal("HTTP_401", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("invalid api token", error.Message);
    }

    [Fact]
    public async Task A_sidecar_that_cannot_be_reached_becomes_ERR_SIDECAR_UNREACHABLE_without_a_status()
    {
        var sidecar = new FakeSidecar { Responder = _ => throw new HttpRequestException("Connection refused (127.0.0.1:3500)") };

        var error = await Assert.ThrowsAsync<DaprApiException>(() => sidecar.CreateClient().SaveStateAsync("s", "k", 1, cancellationToken: Ct));

        Assert.Equal(DaprApiException.SidecarUnreachable, error.ErrorCode);
        Assert.Null(error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public void Options_take_DAPR_HTTP_ENDPOINT_first_then_DAPR_HTTP_PORT_on_loopback_and_DAPR_API_TOKEN()
    {
        static DaprClientOptions Read(params (string Key, string Value)[] pairs) =>
            new DaprClientOptions().ReadFrom(new ConfigurationBuilder()
                .AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build());

        Assert.Equal(new Uri("http://127.0.0.1:3500"), Read().HttpEndpoint);
        Assert.Null(Read().ApiToken);
        Assert.Equal(new Uri("http://127.0.0.1:3601"), Read(("DAPR_HTTP_PORT", "3601")).HttpEndpoint);
        var both = Read(("DAPR_HTTP_PORT", "3601"), ("DAPR_HTTP_ENDPOINT", "http://daprd.local:3500/"), ("DAPR_API_TOKEN", "t0k"));
        Assert.Equal(new Uri("http://daprd.local:3500"), both.HttpEndpoint);
        Assert.Equal("t0k", both.ApiToken);
    }
}
