using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.ServiceDefaults;

/// <summary>
/// Service invocation the way the SDK recommends since its <c>InvokeMethodAsync</c> family became obsolete: a plain
/// HttpClient whose <see cref="InvocationHandler"/> turns <c>http://{appId}/path</c> into the sidecar's
/// <c>/v1.0/invoke/{appId}/method/path</c>, built by HttpClientFactory so resilience can be added.
/// </summary>
public static class DaprInvocation
{
    /// <summary>Registers the HttpClient named <paramref name="appId"/>, whose relative URLs are routes of that app.</summary>
    public static IHttpClientBuilder AddDaprInvocationClient(this IServiceCollection services, string appId) =>
        services.AddHttpClient(appId, client => client.BaseAddress = new Uri("http://" + appId))
            .AddHttpMessageHandler(sp => new InvocationHandler
            {
                DaprEndpoint = DaprDefaults.GetDefaultHttpEndpoint(sp.GetRequiredService<IConfiguration>()),
                DefaultAppId = appId,
            })
            .AddHttpMessageHandler(sp => new ApiTokenHandler(DaprDefaults.GetDefaultDaprApiToken(sp.GetRequiredService<IConfiguration>())));

    /// <summary>
    /// <see cref="InvocationHandler"/> reads <c>DAPR_API_TOKEN</c> from the environment only and keeps its setter internal;
    /// this sends the token from configuration (which includes the environment), as DaprClient does.
    /// </summary>
    private sealed class ApiTokenHandler(string? token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!string.IsNullOrEmpty(token) && !request.Headers.Contains(SidecarOnly.TokenHeader))
            {
                request.Headers.TryAddWithoutValidation(SidecarOnly.TokenHeader, token);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
