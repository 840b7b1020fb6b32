using Dapr;
using System.Security.Cryptography;
using System.Text;
using DaprChat.Contracts;
using DaprChat.Main.Infrastructure;
using DaprChat.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace DaprChat.Main.Accounts;

public sealed record InviteRecord(string AccountId, DateTimeOffset ExpiresAt);

/// <summary>Creating and finding accounts. Emails are unique through a first-write index key created in the same transaction.</summary>
public sealed class AccountService(UserStore store, IPasswordHasher hasher, IOptions<AccountOptions> options, TimeProvider time)
{
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public static string HashForKey(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        store.GetAsync<Account>(Keys.Account(accountId), cancellationToken);

    public async Task<Account?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var index = await store.GetAsync<EmailIndexEntry>(Keys.Email(NormalizeEmail(email)), cancellationToken);
        return index is null ? null : await GetAsync(index.AccountId, cancellationToken);
    }

    public Problem? CheckPassword(string? password) =>
        password is null || password.Length < options.Value.MinPasswordLength || password.Length > 256
            ? Problem.Validation($"The password must be {options.Value.MinPasswordLength} to 256 characters long")
            : null;

    /// <summary>A new account. With a password it is active; without one it waits for its invite code.</summary>
    public async Task<Outcome<Account>> CreateAsync(string email, string displayName, string role, string? password, CancellationToken cancellationToken)
    {
        var normalized = NormalizeEmail(email ?? "");
        if (normalized.Length is < 3 or > 254 || !normalized.Contains('@', StringComparison.Ordinal))
        {
            return Problem.Validation("A valid email address is required");
        }

        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > 60)
        {
            return Problem.Validation("A display name of 1 to 60 characters is required");
        }

        if (password is not null && CheckPassword(password) is { } weak)
        {
            return weak;
        }

        var account = new Account(Guid.NewGuid().ToString("N"), normalized, displayName.Trim(), role,
            password is null ? null : hasher.Hash(password), password is null ? AccountStates.Invited : AccountStates.Active, false, time.GetUtcNow());
        var emailKey = Keys.Email(normalized);
        if (await store.GetAsync<EmailIndexEntry>(emailKey, cancellationToken) is not null)
        {
            return EmailTaken;
        }

        try
        {
            await store.TransactAsync([store.Create(emailKey, new EmailIndexEntry(account.Id)), store.Create(Keys.Account(account.Id), account)], cancellationToken);
        }
        catch (DaprException)
        {
            // Lost a race for the same email: the transaction's first-write check refused it as a whole.
            if (await store.GetAsync<EmailIndexEntry>(emailKey, cancellationToken) is not null)
            {
                return EmailTaken;
            }

            throw;
        }

        return account;
    }

    /// <summary>A one-time code, stored only as its hash, that lets an invited person set their password.</summary>
    public async Task<string> CreateInviteAsync(Account account, CancellationToken cancellationToken)
    {
        var code = "inv_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var lifetime = options.Value.InviteLifetime;
        await store.SaveAsync(Keys.Invite(HashForKey(code)), new InviteRecord(account.Id, time.GetUtcNow() + lifetime), cancellationToken, lifetime);
        return code;
    }

    public async Task<Outcome<Account>> AcceptInviteAsync(string code, string password, CancellationToken cancellationToken)
    {
        if (CheckPassword(password) is { } weak)
        {
            return weak;
        }

        var inviteKey = Keys.Invite(HashForKey(code ?? ""));
        var invite = await store.GetAsync<InviteRecord>(inviteKey, cancellationToken);
        if (invite is null || invite.ExpiresAt <= time.GetUtcNow())
        {
            return new Problem(StatusCodes.Status400BadRequest, "invalid_invite", "The invite code is not valid or has expired");
        }

        var hash = hasher.Hash(password);
        var updated = await store.UpdateAsync<Account>(Keys.Account(invite.AccountId), current =>
            current is not { State: AccountStates.Invited }
                ? new Problem(StatusCodes.Status400BadRequest, "invalid_invite", "The invite code is not valid or has expired")
                : current with { PasswordHash = hash, State = AccountStates.Active }, cancellationToken);
        await store.DeleteAsync(inviteKey, cancellationToken);
        return updated;
    }

    public Task<Outcome<Account>> UpdateAsync(string accountId, Func<Account, Outcome<Account>> change, CancellationToken cancellationToken) =>
        store.UpdateAsync<Account>(Keys.Account(accountId), current => current is null ? Problem.NotFound("account") : change(current), cancellationToken);

    private static readonly Problem EmailTaken = new(StatusCodes.Status409Conflict, "email_taken", "An account with this email already exists");
}
