namespace DaprChat.Main.Accounts;

/// <summary>Failed sign-ins for one email (known or not, so the lockout itself reveals nothing), under <c>login-failures:{hash}</c>.</summary>
public sealed record LoginFailures(int Count, DateTimeOffset? LockedUntil);

/// <summary>Per-account lockout: <see cref="MaxFailures"/> wrong passwords lock the email for <see cref="LockDuration"/>.</summary>
public sealed record LockoutPolicy(int MaxFailures, TimeSpan LockDuration)
{
    public static readonly LockoutPolicy Default = new(5, TimeSpan.FromMinutes(5));

    public bool IsLocked(LoginFailures? state, DateTimeOffset now) => state?.LockedUntil is { } until && until > now;

    public LoginFailures RegisterFailure(LoginFailures? state, DateTimeOffset now)
    {
        // A lock that has run out starts a fresh count, so the next lock needs another full run of failures.
        var count = state is null || state.LockedUntil is { } until && until <= now ? 0 : state.Count;
        count++;
        return count >= MaxFailures ? new LoginFailures(count, now + LockDuration) : new LoginFailures(count, null);
    }
}
