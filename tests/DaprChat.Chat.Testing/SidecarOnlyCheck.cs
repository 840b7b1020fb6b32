using DaprChat.ServiceDefaults;
using DaprChat.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.Chat.Testing;

/// <summary>A running app's routes against <see cref="SidecarOnlyRoutes"/>: what the outside walks try is what the app guards.</summary>
public static class SidecarOnlyCheck
{
    public static IEnumerable<string> Problems(IServiceProvider services, string appId)
    {
        ArgumentNullException.ThrowIfNull(services);
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (Method: m, Endpoint: e)))
            .ToList();
        var listed = SidecarOnlyRoutes.ByApp[appId];
        bool Matches(RouteEndpoint endpoint, SidecarOnlyRoutes.Route route) =>
            new TemplateMatcher(TemplateParser.Parse(endpoint.RoutePattern.RawText!.TrimStart('/')), new RouteValueDictionary()).TryMatch(route.Path, new RouteValueDictionary());

        foreach (var (method, endpoint) in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText!.TrimStart('/');
            var guarded = endpoint.Metadata.GetMetadata<SidecarOnlyMetadata>() is not null;
            if (!guarded && SidecarOnlyRoutes.SidecarPrefixes.Any(p => pattern.StartsWith(p, StringComparison.Ordinal)))
            {
                yield return $"{method} /{pattern} serves Dapr but is not sidecar-only";
            }

            if (guarded && !listed.Any(r => (r.Method == method || method == "*") && Matches(endpoint, r)))
            {
                yield return $"{method} /{pattern} is sidecar-only but SidecarOnlyRoutes does not list it, so no outside walk tries it";
            }
        }

        foreach (var route in listed.Where(r => !endpoints.Any(e => e.Endpoint.Metadata.GetMetadata<SidecarOnlyMetadata>() is not null && e.Method == r.Method && Matches(e.Endpoint, r))))
        {
            yield return $"{route.Method} {route.Path} is listed but the app has no sidecar-only route for it";
        }
    }
}
