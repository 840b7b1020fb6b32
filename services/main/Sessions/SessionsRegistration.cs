using DaprChat.Main.Directory;

namespace DaprChat.Main.Sessions;

public static class SessionsRegistration
{
    /// <summary>Directory and sessions share the per-book session lists, so they are registered together.</summary>
    public static WebApplicationBuilder AddSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SessionOptions>().BindConfiguration("Sessions")
            .Configure<IConfiguration>((o, configuration) => o.ChatServiceUrl = configuration["CHAT_SERVICE_URL"] ?? o.ChatServiceUrl)
            .Validate(o => o.RequestTimeout > TimeSpan.Zero && o.RequestTimeout < o.MaxDuration, "Sessions:RequestTimeout must be positive and shorter than MaxDuration")
            .Validate(o => Uri.TryCreate(o.ChatServiceUrl, UriKind.Absolute, out _), "CHAT_SERVICE_URL must be an absolute URL")
            .ValidateOnStart();
        builder.Services.AddSingleton<SessionIndex>();
        builder.Services.AddSingleton<DirectoryService>();
        builder.Services.AddSingleton<SessionService>();
        return builder;
    }
}
