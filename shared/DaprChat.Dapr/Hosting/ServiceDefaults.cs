using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.Dapr;

/// <summary>What every DaprChat service shares, in the spirit of eShop's ServiceDefaults: Dapr wiring, problem details, health.</summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.AddDaprSidecarDefaults();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Exception handling as RFC 7807, CloudEvent unwrapping, GET /healthz and GET /dapr/subscribe.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseCloudEvents();
        app.MapDaprHealth();
        app.MapSubscribeHandler();
        return app;
    }
}
