using DaprChat.Dapr.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.Dapr.Tests;

public sealed class HostingTests
{
    [Theory]
    [InlineData("5123", null, null, "http://127.0.0.1:5123")]
    [InlineData("5123", "true", null, "http://0.0.0.0:5123")]
    [InlineData("5123", null, "http://127.0.0.1:6000", "http://127.0.0.1:6000")]
    [InlineData(null, null, null, null)]
    public void Sidecar_defaults_bind_kestrel_to_APP_PORT_on_loopback_unless_urls_are_configured(
        string? appPort, string? listenAll, string? urls, string? expected)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["APP_PORT"] = appPort,
            ["DAPR_APP_LISTEN_ALL"] = listenAll,
            [WebHostDefaults.ServerUrlsKey] = urls,
        });

        builder.AddDaprSidecarDefaults();

        Assert.Equal(expected, builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } bound ? bound : null);
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(DaprClient));
    }

    [Fact]
    public async Task A_client_registered_twice_keeps_the_explicit_endpoint_given_first()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Services.AddDaprClient(o => o.HttpEndpoint = new Uri("http://127.0.0.1:4999"));
            builder.Services.AddDaprClient();
        }, _ => { }, new Dictionary<string, string?> { ["DAPR_HTTP_PORT"] = "3777" });

        var client = app.App.Services.GetRequiredService<DaprClient>();

        Assert.Equal(new Uri("http://127.0.0.1:4999"), client.Options.HttpEndpoint);
    }
}
