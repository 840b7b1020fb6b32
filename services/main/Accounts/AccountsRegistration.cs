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
            .Validate(o => o.SignInPermitsPerAddress > 0 && o.RefreshPermitsPerAddress > 0 && o.AddressWindow > TimeSpan.Zero, "Accounts:*PermitsPerAddress and Accounts:AddressWindow must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<IPasswordHasher>(sp => new Pbkdf2PasswordHasher(sp.GetRequiredService<IOptions<AccountOptions>>().Value.PasswordIterations));
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddSingleton<SignInService>();
        builder.Services.AddHostedService<BootstrapAdmin>();
        builder.Services.AddSingleton<SignInBudgets>();
        return builder;
    }
}
