using System.Threading.RateLimiting;
using DaprChat.Main.Infrastructure;
using Microsoft.Extensions.Options;

namespace DaprChat.Main.Accounts;

public static class AccountsRegistration
{
    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccountOptions>().BindConfiguration("Accounts")
            .Validate(o => o.PasswordIterations >= Pbkdf2PasswordHasher.MinimumIterations, "Accounts:PasswordIterations must be at least 600,000")
            .Validate(o => o.LockoutFailures > 0 && o.LockoutDuration > TimeSpan.Zero, "Accounts:Lockout* must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<IPasswordHasher>(sp => new Pbkdf2PasswordHasher(sp.GetRequiredService<IOptions<AccountOptions>>().Value.PasswordIterations));
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddSingleton<SignInService>();
        builder.Services.AddHostedService<BootstrapAdmin>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per client address; the per-account lockout (in userstore) is what holds across replicas.
            o.AddPolicy(AuthApi.SignInRateLimit, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<AccountOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = options.LoginRatePermits, Window = options.LoginRateWindow, QueueLimit = 0 });
            });
            o.OnRejected = async (context, cancellationToken) =>
            {
                var problem = new Problem(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests from this client; slow down",
                    RetryAfter: context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : null);
                await problem.ToResult(context.HttpContext).ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }
}
