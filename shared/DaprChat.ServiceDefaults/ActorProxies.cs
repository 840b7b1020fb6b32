using Dapr;
using Dapr.Actors.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DaprChat.ServiceDefaults;

public static class ActorProxies
{
    /// <summary>
    /// The SDK's proxy factory for an app that calls actors without hosting any (an app that hosts actors gets one from
    /// <c>AddActors</c>). Typed proxies speak remoting; <c>UseJsonSerialization</c> must match the hosting app's setting.
    /// Endpoint and token come from configuration (which includes the environment), as <c>AddActors</c> reads them.
    /// </summary>
    public static IServiceCollection AddActorProxies(this IServiceCollection services)
    {
        services.TryAddSingleton<IActorProxyFactory>(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return new ActorProxyFactory(new ActorProxyOptions
            {
                HttpEndpoint = DaprDefaults.GetDefaultHttpEndpoint(configuration),
                DaprApiToken = DaprDefaults.GetDefaultDaprApiToken(configuration),
                UseJsonSerialization = true,
            });
        });
        return services;
    }
}
