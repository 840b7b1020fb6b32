using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace DaprChat.Dapr;

public static class DaprHostingExtensions
{
    /// <summary>
    /// What every DaprChat app needs behind a sidecar: <see cref="DaprClient"/> registered, and Kestrel bound to
    /// <c>http://127.0.0.1:{APP_PORT}</c> (set by <c>dapr run</c>) unless URLs are configured some other way
    /// (<c>ASPNETCORE_URLS</c>, <c>--urls</c>, <c>HTTP_PORTS</c>, <c>Kestrel:Endpoints</c>). <c>DAPR_APP_LISTEN_ALL=true</c>
    /// binds 0.0.0.0 instead, for a pod where daprd reaches the app over the pod network.
    /// </summary>
    public static WebApplicationBuilder AddDaprSidecarDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDaprClient();
        var configuration = builder.Configuration;
        var appPort = configuration["APP_PORT"];
        if (!string.IsNullOrWhiteSpace(appPort) && !HasConfiguredUrls(configuration))
        {
            var port = int.Parse(appPort, NumberStyles.None, CultureInfo.InvariantCulture);
            var listenAll = bool.TryParse(configuration["DAPR_APP_LISTEN_ALL"], out var all) && all;
            builder.WebHost.UseUrls($"http://{(listenAll ? "0.0.0.0" : "127.0.0.1")}:{port.ToString(CultureInfo.InvariantCulture)}");
        }

        return builder;
    }

    private static bool HasConfiguredUrls(ConfigurationManager configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    /// <summary>
    /// <c>GET /healthz</c> → 200, daprd's default app-health path. Not sidecar-only: daprd sends no API token on probes.
    /// </summary>
    public static IEndpointConventionBuilder MapDaprHealth(this IEndpointRouteBuilder endpoints, string pattern = "/healthz")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, (RequestDelegate)(context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync("OK");
        }));
    }
}
