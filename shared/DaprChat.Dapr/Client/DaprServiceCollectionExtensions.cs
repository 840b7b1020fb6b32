using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DaprChat.Dapr;

public static class DaprServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DaprClient"/> as a singleton over the named HttpClient <see cref="DaprClient.HttpClientName"/>.
    /// Options come from configuration (DAPR_HTTP_ENDPOINT / DAPR_HTTP_PORT / DAPR_API_TOKEN; env vars are part of it)
    /// and then <paramref name="configure"/>. The returned builder adds handlers or swaps the primary handler (tests).
    /// </summary>
    public static IHttpClientBuilder AddDaprClient(this IServiceCollection services, Action<DaprClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Environment first, exactly once: a second AddDaprClient() (e.g. from AddActors) must not undo an earlier configure.
        if (!services.Any(d => d.ServiceType == typeof(DaprClientRegistration)))
        {
            services.AddSingleton<DaprClientRegistration>();
            services.AddOptions<DaprClientOptions>()
                .Configure<IServiceProvider>((options, provider) => options.ReadFrom(provider.GetService<IConfiguration>()));
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        // A singleton over one long-lived HttpClient: the sidecar is a fixed loopback address, so there is no DNS to refresh.
        services.TryAddSingleton(provider => new DaprClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(DaprClient.HttpClientName),
            provider.GetRequiredService<IOptions<DaprClientOptions>>().Value));
        return services.AddHttpClient(DaprClient.HttpClientName);
    }
}

internal sealed class DaprClientRegistration;
