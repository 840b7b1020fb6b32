using System.Net;
using DaprChat.Contracts;
using DaprChat.Notify.Dashboard;
using DaprChat.Notify.Events;
using DaprChat.Notify.Push;
using DaprChat.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.IdentityModel.Tokens;
using Polly;

namespace DaprChat.Notify;

public static class NotifyRegistration
{
    /// <summary>Push (FCM or log-only), the quiet period, main's device routes, and the counsellors' stream with its auth.</summary>
    public static WebApplicationBuilder AddNotify(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section)
            .Validate(o => o.QuietPeriod > TimeSpan.Zero, "Push:QuietPeriod must be positive")
            .Validate(o => o.TimeToLive > TimeSpan.Zero && o.TimeToLive <= PushOptions.ChatRetention, "Push:TimeToLive must be positive and at most 24 hours (the chat's retention)")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Title) && !string.IsNullOrWhiteSpace(o.Body) && !string.IsNullOrWhiteSpace(o.RequestBody), "Push:Title, Push:Body and Push:RequestBody must be set")
            .ValidateOnStart();
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section)
            .Validate(o => o.Retention > TimeSpan.Zero && o.MaxKept > 0 && o.KeepAlive > TimeSpan.Zero, "Dashboard:Retention, MaxKept and KeepAlive must be positive")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddDaprInvocationClient(DaprNames.Apps.Main);
        services.AddSingleton<IPushMarks, DaprPushMarks>();
        services.AddSingleton<QuietPeriod>();
        services.AddSingleton<IRecipientDevices, MainRecipientDevices>();
        services.AddSingleton<PushService>();
        services.AddSingleton<FcmCredentialSource>();
        services.AddSingleton<LogOnlyPushSender>();
        services.AddSingleton<IPushSender>(sp => sp.GetRequiredService<FcmCredentialSource>());
        services.AddSingleton<NotificationStore>();
        services.AddSingleton<SessionLookup>();
        services.AddSingleton<StreamHub>();
        AddFcmClient(services);
        AddStreamAuth(services);
        var origins = builder.Configuration.GetSection(DashboardOptions.Section).Get<DashboardOptions>()?.AllowedOrigins ?? [];
        services.AddCors(o => o.AddPolicy(StreamApi.CorsPolicy, p => p.WithOrigins(origins).WithMethods("GET").WithHeaders("Authorization", "Last-Event-ID")));
        return builder;
    }

    public static WebApplication MapNotify(this WebApplication app)
    {
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNotifyEvents();
        app.MapStreamApi();
        return app;
    }

    internal static void AddFcmClient(IServiceCollection services) =>
        services.AddHttpClient(FcmPushSender.ClientName).AddResilienceHandler("fcm", pipeline =>
        {
            // Retries 429 and 5xx (and transport errors) with jittered back-off, honouring Retry-After; never 4xx token errors.
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException } => true,
                    { Result: { } r } => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500,
                    _ => false,
                }),
            });
            // An FCM outage opens the circuit: pushes fail fast (and are redelivered later) instead of piling up.
            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
            });
            pipeline.AddTimeout(TimeSpan.FromSeconds(10));
        });

    private static void AddStreamAuth(IServiceCollection services)
    {
        services.AddSingleton<MainKeys>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<MainKeys>((o, keys) =>
        {
            o.MapInboundClaims = false;
            o.ConfigurationManager = keys;
            o.RefreshOnIssuerKeyNotFound = true;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = ChatTickets.Issuer,
                // main's access tokens only: a chat ticket (audience chat) opens no stream.
                ValidAudience = "main",
                ValidTypes = ["at+jwt"],
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(10),
                NameClaimType = "sub",
                RoleClaimType = "role",
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(StreamApi.BookPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Counselor, Roles.Volunteer));
    }
}
