using System.Security.Cryptography;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Security;
using DaprChat.ServiceDefaults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Main.Accounts;

public sealed record TokenPair(string AccessToken, DateTimeOffset AccessTokenExpiresAt, int ExpiresInSeconds, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt, string Role, string AccountId);

/// <summary>One refresh token, stored under the hash of its value; <see cref="UsedAt"/> is set when it is rotated.</summary>
public sealed record RefreshRecord(string AccountId, string FamilyId, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt);

/// <summary>A chain of rotated refresh tokens from one sign-in. Revoking it ends every token of the chain.</summary>
public sealed record RefreshFamily(string AccountId, bool Revoked, string? RevokedReason);

/// <summary>
/// Sign-in, refresh and sign-out. A wrong email costs one full password verification and counts towards a lockout
/// exactly as a wrong password does, so neither the answer, the timing nor the lockout tells them apart.
/// </summary>
public sealed partial class SignInService(
    UserStore store,
    AccountService accounts,
    IPasswordHasher hasher,
    TokenIssuer tokens,
    IOptions<AccountOptions> accountOptions,
    IOptions<TokenOptions> tokenOptions,
    TimeProvider time,
    ILogger<SignInService> logger)
{
    public static readonly Problem InvalidCredentials = new(StatusCodes.Status401Unauthorized, "invalid_credentials", "Email or password is incorrect");

    private static readonly Problem InvalidRefresh = new(StatusCodes.Status401Unauthorized, "invalid_refresh_token", "The refresh token is not valid");

    private LockoutPolicy Lockout => new(accountOptions.Value.LockoutFailures, accountOptions.Value.LockoutDuration);

    public async Task<Outcome<TokenPair>> SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        var failuresKey = Keys.LoginFailures(AccountService.HashForKey(AccountService.NormalizeEmail(email ?? "")));
        var failures = await store.GetAsync<LoginFailures>(failuresKey, cancellationToken);
        var now = time.GetUtcNow();
        if (Lockout.IsLocked(failures, now))
        {
            return new Problem(StatusCodes.Status429TooManyRequests, "login_locked", "Too many failed sign-ins; try again later",
                RetryAfter: failures!.LockedUntil!.Value - now);
        }

        var account = await accounts.FindByEmailAsync(email ?? "", cancellationToken);
        var check = PasswordCheck.Failed;
        if (account is { CanSignIn: true })
        {
            check = hasher.Verify(password ?? "", account.PasswordHash!);
        }
        else
        {
            hasher.VerifyDummy(password ?? "");
        }

        if (check == PasswordCheck.Failed)
        {
            var lockout = Lockout;
            var recorded = await store.UpdateAsync<LoginFailures>(failuresKey, current => lockout.RegisterFailure(current, now), cancellationToken,
                ttl: lockout.LockDuration + TimeSpan.FromHours(1));
            if (recorded.Value?.LockedUntil is not null)
            {
                LogLocked(failuresKey);
            }

            return InvalidCredentials;
        }

        if (failures is not null)
        {
            await store.DeleteAsync(failuresKey, cancellationToken);
        }

        if (check == PasswordCheck.SucceededRehashNeeded)
        {
            var upgraded = hasher.Hash(password!);
            await accounts.UpdateAsync(account!.Id, a => a with { PasswordHash = upgraded }, cancellationToken);
        }

        return await IssueAsync(account!, Guid.NewGuid().ToString("N"), cancellationToken);
    }

    /// <summary>Rotates a refresh token. Presenting one that was already rotated revokes its whole family (it was stolen or replayed).</summary>
    public async Task<Outcome<TokenPair>> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var key = Keys.RefreshToken(AccountService.HashForKey(refreshToken ?? ""));
        var (record, etag) = await store.GetWithETagAsync<RefreshRecord>(key, cancellationToken);
        var now = time.GetUtcNow();
        if (record is null || record.ExpiresAt <= now)
        {
            return InvalidRefresh;
        }

        var family = await store.GetAsync<RefreshFamily>(Keys.RefreshFamily(record.FamilyId), cancellationToken);
        if (family is null || family.Revoked)
        {
            return InvalidRefresh;
        }

        if (record.UsedAt is not null || !await store.TryReplaceAsync(key, record with { UsedAt = now }, etag, cancellationToken, record.ExpiresAt - now))
        {
            await RevokeFamilyAsync(record.FamilyId, record.AccountId, "reuse", cancellationToken);
            LogReuse(record.FamilyId);
            return new Problem(StatusCodes.Status401Unauthorized, "refresh_token_reused", "This refresh token was already used; sign in again");
        }

        var account = await accounts.GetAsync(record.AccountId, cancellationToken);
        if (account is not { CanSignIn: true })
        {
            return InvalidRefresh;
        }

        return await IssueAsync(account, record.FamilyId, cancellationToken);
    }

    public async Task SignOutAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync<RefreshRecord>(Keys.RefreshToken(AccountService.HashForKey(refreshToken ?? "")), cancellationToken);
        if (record is not null)
        {
            await RevokeFamilyAsync(record.FamilyId, record.AccountId, "sign-out", cancellationToken);
        }
    }

    private async Task<TokenPair> IssueAsync(Account account, string familyId, CancellationToken cancellationToken)
    {
        var access = await tokens.IssueAccessTokenAsync(account.Id, account.Role, cancellationToken);
        var lifetime = tokenOptions.Value.RefreshTokenLifetime;
        var refresh = "rt_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var expires = time.GetUtcNow() + lifetime;
        // The family's TTL follows its newest token, so a chain in use never expires under it.
        await store.SaveAsync(Keys.RefreshFamily(familyId), new RefreshFamily(account.Id, false, null), cancellationToken, lifetime);
        await store.SaveAsync(Keys.RefreshToken(AccountService.HashForKey(refresh)), new RefreshRecord(account.Id, familyId, expires, null), cancellationToken, lifetime);
        return new TokenPair(access.Token, access.ExpiresAt, (int)Math.Round((access.ExpiresAt - time.GetUtcNow()).TotalSeconds), refresh, expires, account.Role, account.Id);
    }

    private Task RevokeFamilyAsync(string familyId, string accountId, string reason, CancellationToken cancellationToken) =>
        store.SaveAsync(Keys.RefreshFamily(familyId), new RefreshFamily(accountId, true, reason), cancellationToken, tokenOptions.Value.RefreshTokenLifetime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in locked after repeated failures ({FailuresKey})")]
    private partial void LogLocked(string failuresKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token reuse detected; family {FamilyId} revoked")]
    private partial void LogReuse(string familyId);
}
