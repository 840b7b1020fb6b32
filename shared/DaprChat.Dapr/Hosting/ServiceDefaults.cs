using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprChat.Dapr;

/// <summary>What every DaprChat service shares, in the spirit of eShop's ServiceDefaults: Dapr wiring, problem details, health.</summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.AddDaprSidecarDefaults();
        builder.Services.AddProblemDetails();
        // Bad bodies (malformed JSON, too large) reach the exception handler in every environment, which answers them below.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.MaxDepth = 32);
        builder.Services.AddSingleton(TimeProvider.System);
        // 1 MB unless a service's "Kestrel:Limits" section says otherwise (main allows 64 KB).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 1024 * 1024);
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        // Sidecar URLs name state keys and secrets; they stay out of Information logs.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        return builder;
    }

    /// <summary>Exception handling as RFC 7807, CloudEvent unwrapping, GET /healthz and GET /dapr/subscribe.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A malformed or oversized request is the client's error (400, 413), not the server's.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseCloudEvents();
        app.MapDaprHealth();
        app.MapSubscribeHandler();
        return app;
    }
}
