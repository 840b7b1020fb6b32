namespace DaprChat.Main.Accounts;

/// <summary>Section <c>Accounts</c>.</summary>
public sealed class AccountOptions
{
    /// <summary>PBKDF2-SHA256 iterations for new hashes; at least 600,000. Raising it upgrades old hashes on login.</summary>
    public int PasswordIterations { get; set; } = Pbkdf2PasswordHasher.MinimumIterations;

    public int MinPasswordLength { get; set; } = 10;

    /// <summary>Email of the first admin, created on first start; the password comes from the secret below.</summary>
    public string? BootstrapAdminEmail { get; set; }

    public string BootstrapAdminPasswordSecret { get; set; } = "main-bootstrap-admin-password";

    public int LockoutFailures { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Sign-in, registration and invite attempts per client address per <see cref="AddressWindow"/>, on this replica.
    /// Sized for a campus or school behind one NAT address; guessing one account is stopped by the lockout instead.
    /// </summary>
    public int SignInPermitsPerAddress { get; set; } = 300;

    /// <summary>Token refreshes per client address per <see cref="AddressWindow"/>: a budget of their own, so routine refreshes never use up sign-ins.</summary>
    public int RefreshPermitsPerAddress { get; set; } = 1200;

    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromDays(7);
}
