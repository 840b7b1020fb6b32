using DaprChat.Contracts;
using DaprChat.Dapr;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace DaprChat.Main.Security;

public static class Policies
{
    public const string Student = "student";

    /// <summary>Counsellors and volunteers: the "books" students can talk to.</summary>
    public const string Book = "book";

    public const string Admin = "admin";
}

public static class SecurityRegistration
{
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeyOptions>().BindConfiguration("Keys");
        builder.Services.AddOptions<TokenOptions>().BindConfiguration("Tokens")
            .Validate(o => o.AccessTokenLifetime > TimeSpan.Zero && o.AccessTokenLifetime <= TimeSpan.FromMinutes(15), "Tokens:AccessTokenLifetime must be at most 15 minutes")
            .Validate(o => o.ClockSkew >= TimeSpan.Zero && o.ClockSkew <= TimeSpan.FromSeconds(10), "Tokens:ClockSkew must be at most 10 seconds")
            .ValidateOnStart();
        builder.Services.AddSingleton<KeyRing>();
        builder.Services.AddHostedService<KeyRingStartup>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<StudentKeys>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<KeyRing, TimeProvider, IOptions<TokenOptions>>((o, keys, time, tokens) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = TokenValidation.Parameters(keys, time, tokens.Value.ClockSkew, TokenOptions.AccessAudience, TokenOptions.AccessTokenType);
                o.Events = new JwtBearerEvents
                {
                    // Key resolution is synchronous; load keys before it runs, and only when there is a token to check.
                    OnMessageReceived = async context =>
                    {
                        if (context.Request.Headers.Authorization.Count > 0)
                        {
                            await keys.GetAsync(context.HttpContext.RequestAborted);
                        }
                    },
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Student, p => p.RequireRole(Roles.Student))
            .AddPolicy(Policies.Book, p => p.RequireRole(Roles.Counselor, Roles.Volunteer))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        return builder;
    }

    public static WebApplication UseSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
