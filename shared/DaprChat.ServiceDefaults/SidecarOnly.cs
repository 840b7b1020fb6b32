using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprChat.ServiceDefaults;

/// <summary>Marks an endpoint that only the Dapr sidecar calls (subscriptions, actor callbacks, invocation targets).</summary>
public sealed class SidecarOnlyMetadata
{
    public static readonly SidecarOnlyMetadata Instance = new();

    private SidecarOnlyMetadata()
    {
    }
}

/// <summary>
/// Sidecar-only routes answer 401 unless the request carries the app's <c>APP_API_TOKEN</c> in <c>dapr-api-token</c>,
/// which daprd sends on every call it makes to the app (not on health probes). With no token configured they refuse
/// everything: they fail closed. The SDK's own check (<c>AddAuthentication().AddDapr()</c>) is opt-in per endpoint and
/// lets calls through when no token is set, so DaprChat keeps this one.
/// </summary>
public static partial class SidecarOnly
{
    public const string AppApiTokenVariable = "APP_API_TOKEN";
    public const string TokenHeader = "dapr-api-token";

    /// <summary>
    /// For builders that map several endpoints, some of them probes: the SDK's <c>MapActorsHandlers</c> also maps
    /// <c>/healthz</c>, which daprd's app health check and Kubernetes call without a token.
    /// </summary>
    public static bool AllButHealthProbe(EndpointBuilder endpoint) =>
        endpoint is not RouteEndpointBuilder { RoutePattern.RawText: "/healthz" or "healthz" };

    public static TBuilder RequireDaprSidecar<TBuilder>(this TBuilder builder, Func<EndpointBuilder, bool>? appliesTo = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            // Group and endpoint conventions may both apply it; wrap once.
            if (endpoint.Metadata.Contains(SidecarOnlyMetadata.Instance) || appliesTo?.Invoke(endpoint) == false)
            {
                return;
            }

            endpoint.Metadata.Add(SidecarOnlyMetadata.Instance);
            var inner = endpoint.RequestDelegate;
            if (inner is null)
            {
                return;
            }

            // Wrapping the delegate (not a middleware) means middleware order cannot switch the check off.
            endpoint.RequestDelegate = context => IsFromSidecar(context) ? inner(context) : RejectAsync(context);
        });
        return builder;
    }

    public static bool IsFromSidecar(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expected = context.RequestServices.GetRequiredService<IConfiguration>()[AppApiTokenVariable];
        if (string.IsNullOrEmpty(expected))
        {
            return false;
        }

        var presented = context.Request.Headers[TokenHeader].ToString();
        // Hashed first so neither the content nor the length of the token leaks through timing.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    /// <summary>
    /// Outside Development an app refuses to start without <c>APP_API_TOKEN</c>: its sidecar-only routes would refuse
    /// its own sidecar. In Development it starts, loudly, so a newcomer sees why subscriptions and actors fail.
    /// </summary>
    public static void CheckAppApiToken(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!string.IsNullOrEmpty(app.Configuration[AppApiTokenVariable]))
        {
            return;
        }

        if (!app.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{AppApiTokenVariable} is not set. This app's sidecar-only routes (subscriptions, actors, internal lookups) refuse every call without it; " +
                "give the app and its sidecar the same token (Kubernetes: the dapr.io/app-token-secret annotation; dapr run and local-dapr up set it).");
        }

        LogNoAppToken(app.Logger, AppApiTokenVariable);
    }

    private static Task RejectAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("invalid api token\n");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "*** {Variable} is not set: every sidecar-only route (subscriptions, actor calls, internal lookups) will answer 401, so Dapr cannot reach this app. Set it for the app and its sidecar (local-dapr up and dapr run -f do). ***")]
    private static partial void LogNoAppToken(ILogger logger, string variable);
}
