using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.Dapr;

/// <summary>Marks an endpoint that only the Dapr sidecar calls (subscriptions, actor callbacks, invocation targets).</summary>
public sealed class DaprSidecarEndpointMetadata
{
    public static readonly DaprSidecarEndpointMetadata Instance = new();

    private DaprSidecarEndpointMetadata()
    {
    }
}

public static class DaprSidecarEndpointExtensions
{
    /// <summary>The variable daprd and the app share for sidecar→app calls (<c>dapr-api-token</c> header).</summary>
    public const string AppApiTokenVariable = "APP_API_TOKEN";

    /// <summary>
    /// When <c>APP_API_TOKEN</c> is set (configuration, which includes the environment), the endpoint answers 401 unless
    /// the request's <c>dapr-api-token</c> header equals it. Browser-facing endpoints simply don't call this.
    /// </summary>
    public static TBuilder RequireDaprSidecar<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            // Group + endpoint conventions may both apply it; wrap once.
            if (endpoint.Metadata.Contains(DaprSidecarEndpointMetadata.Instance))
            {
                return;
            }

            endpoint.Metadata.Add(DaprSidecarEndpointMetadata.Instance);
            var inner = endpoint.RequestDelegate;
            if (inner is null)
            {
                return;
            }

            // Wrapping the delegate (not a middleware) means the check cannot be lost to middleware order.
            endpoint.RequestDelegate = context => IsAuthorized(context) ? inner(context) : RejectAsync(context);
        });
        return builder;
    }

    internal static bool IsAuthorized(HttpContext context)
    {
        var configuration = context.RequestServices.GetService<IConfiguration>();
        var expected = configuration is null
            ? Environment.GetEnvironmentVariable(AppApiTokenVariable)
            : configuration[AppApiTokenVariable];
        if (string.IsNullOrEmpty(expected))
        {
            return true;
        }

        var presented = context.Request.Headers[DaprClient.ApiTokenHeader].ToString();
        // Hash first so neither the content nor the length of the token leaks through timing.
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    private static Task RejectAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("invalid api token\n");
    }
}
