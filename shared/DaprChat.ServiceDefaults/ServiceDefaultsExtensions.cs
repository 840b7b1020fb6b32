using System.Globalization;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprChat.ServiceDefaults;

/// <summary>What every DaprChat app shares, in the spirit of eShop's ServiceDefaults.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// The Dapr SDK's client (gRPC to the sidecar, endpoints and token from configuration as <c>dapr run</c> sets them),
    /// Kestrel on <c>APP_PORT</c>, problem details with stable codes, strict JSON bodies, the clock, and telemetry.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDaprClient();
        BindAppPort(builder);
        builder.Services.AddProblemCodes();
        // Bad bodies (malformed JSON, too large) reach the exception handler in every environment, which answers them below.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.MaxDepth = 32;
            // A body that leaves out a required field, or sends null for one, is a 400 naming the field.
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        // 1 MB unless a service's "Kestrel:Limits" section says otherwise (main allows 64 KB).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 1024 * 1024);
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        // Sidecar URLs name state keys and secrets; they stay out of Information logs.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.AddTelemetry();
        return builder;
    }

    /// <summary>
    /// Exception handling as RFC 7807, CloudEvent unwrapping, <c>GET /healthz</c> (open: daprd sends no token on probes),
    /// <c>GET /dapr/subscribe</c> (sidecar-only), and the start-up check for <c>APP_API_TOKEN</c>.
    /// </summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        SidecarOnly.CheckAppApiToken(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A malformed or oversized request is the client's error (400, 413), not the server's.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseCloudEvents(new CloudEventsMiddlewareOptions
        {
            ForwardCloudEventPropertiesAsHeaders = true,
            IncludedCloudEventPropertiesAsHeaders = Subscriptions.ForwardedAttributes,
        });
        app.MapGet("/healthz", () => TypedResults.Text("OK")).ExcludeFromDescription();
        app.MapSubscribeHandler().RequireDaprSidecar();
        return app;
    }

    /// <summary>
    /// Kestrel on <c>http://127.0.0.1:{APP_PORT}</c> (set by <c>dapr run</c>) unless URLs are configured some other way;
    /// <c>DAPR_APP_LISTEN_ALL=true</c> binds 0.0.0.0, for a pod where daprd reaches the app over the pod network.
    /// </summary>
    private static void BindAppPort(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var appPort = configuration["APP_PORT"];
        var configured = !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (string.IsNullOrWhiteSpace(appPort) || configured)
        {
            return;
        }

        var port = int.Parse(appPort, NumberStyles.None, CultureInfo.InvariantCulture);
        var listenAll = bool.TryParse(configuration["DAPR_APP_LISTEN_ALL"], out var all) && all;
        builder.WebHost.UseUrls($"http://{(listenAll ? "0.0.0.0" : "127.0.0.1")}:{port.ToString(CultureInfo.InvariantCulture)}");
    }
}
