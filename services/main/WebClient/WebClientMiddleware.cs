using Microsoft.Extensions.Options;

namespace DaprChat.Main.WebClient;

/// <summary>Serves the web client (wwwroot: static files, no build step) under a strict content security policy.</summary>
public static class WebClientMiddleware
{
    public static WebApplication UseWebClient(this WebApplication app)
    {
        var chatUrl = new Uri(app.Services.GetRequiredService<IOptions<Sessions.SessionOptions>>().Value.ChatServiceUrl);
        var notifyOrigin = NotifyStreamUrl.Origin(app.Configuration) is { } origin ? " " + origin.GetLeftPart(UriPartial.Authority) : "";
        // Scripts and styles from main only, connections to main, chat and notify only: injected text could neither run nor phone home.
        var policy = $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' {chatUrl.GetLeftPart(UriPartial.Authority)}{notifyOrigin}; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
        app.Use((context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Back after a quick exit must not show the chat from the cache.
                headers.CacheControl = "no-store";
            }

            return next(context);
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        return app;
    }
}
