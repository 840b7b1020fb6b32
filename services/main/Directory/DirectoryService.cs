using DaprChat.Main.Accounts;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Sessions;
using DaprChat.ServiceDefaults;

namespace DaprChat.Main.Directory;

/// <summary>Profiles, live status and load of counsellors and volunteers.</summary>
public sealed class DirectoryService(UserStore store, SessionIndex sessions, TimeProvider time)
{
    public const int DefaultMaxActiveChats = 3;

    public Task<BookProfile?> GetProfileAsync(string accountId, CancellationToken cancellationToken) =>
        store.GetAsync<BookProfile>(Keys.Profile(accountId), cancellationToken);

    /// <summary>A staff account's profile (offline to start) and its place in the books index.</summary>
    public async Task CreateProfileAsync(Account account, int? maxActiveChats, CancellationToken cancellationToken)
    {
        var profile = new BookProfile(account.Id, account.Role, account.DisplayName, "", [], [], BookStatus.Offline,
            maxActiveChats ?? DefaultMaxActiveChats, time.GetUtcNow());
        await store.TryCreateAsync(Keys.Profile(account.Id), profile, cancellationToken);
        await store.UpdateAsync<BooksIndex>(Keys.BooksIndex, current =>
            current?.AccountIds.Contains(account.Id) == true ? current : new BooksIndex([.. current?.AccountIds ?? [], account.Id]), cancellationToken);
    }

    public async Task<IReadOnlyList<BookView>> ListAsync(bool availableOnly, string? excludeId, CancellationToken cancellationToken)
    {
        var index = await store.GetAsync<BooksIndex>(Keys.BooksIndex, cancellationToken);
        var ids = index?.AccountIds ?? [];
        var profiles = await store.GetManyAsync<BookProfile>(ids.Select(Keys.Profile).ToList(), cancellationToken);
        var accounts = await store.GetManyAsync<Account>(ids.Select(Keys.Account).ToList(), cancellationToken);
        var counts = await sessions.OpenCountsAsync(ids, cancellationToken);
        return profiles.Values
            .Where(p => p.AccountId != excludeId && accounts.TryGetValue(Keys.Account(p.AccountId), out var a) && a.State == AccountStates.Active)
            .Select(p => BookView.From(p, counts.GetValueOrDefault(p.AccountId)))
            .Where(b => !availableOnly || b.AcceptingRequests)
            .OrderByDescending(b => b.AcceptingRequests).ThenBy(b => b.ActiveChats).ThenBy(b => b.DisplayName, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<Outcome<BookView>> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        var profile = await GetProfileAsync(accountId, cancellationToken);
        var account = await store.GetAsync<Account>(Keys.Account(accountId), cancellationToken);
        if (profile is null || account is not { State: AccountStates.Active })
        {
            return Problem.NotFound("book");
        }

        var counts = await sessions.OpenCountsAsync([accountId], cancellationToken);
        return BookView.From(profile, counts[accountId]);
    }

    public Task<Outcome<BookProfile>> UpdateProfileAsync(string accountId, ProfileUpdate update, CancellationToken cancellationToken)
    {
        if (update.DisplayName is { } name && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 60))
        {
            return Task.FromResult<Outcome<BookProfile>>(Problem.Validation("A display name of 1 to 60 characters is required"));
        }

        if (update.Bio is { Length: > 500 } || update.Topics is { Count: > 20 } || update.Languages is { Count: > 10 }
            || (update.Topics ?? []).Concat(update.Languages ?? []).Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 40))
        {
            return Task.FromResult<Outcome<BookProfile>>(Problem.Validation("Bio up to 500 characters; up to 20 topics and 10 languages of up to 40 characters each"));
        }

        return Change(accountId, p => p with
        {
            DisplayName = update.DisplayName?.Trim() ?? p.DisplayName,
            Bio = update.Bio?.Trim() ?? p.Bio,
            Topics = update.Topics?.Select(t => t.Trim()).ToList() ?? p.Topics,
            Languages = update.Languages?.Select(t => t.Trim()).ToList() ?? p.Languages,
        }, cancellationToken);
    }

    public Task<Outcome<BookProfile>> SetStatusAsync(string accountId, string status, CancellationToken cancellationToken) =>
        BookStatus.All.Contains(status ?? "")
            ? Change(accountId, p => p with { Status = status!, StatusChangedAt = time.GetUtcNow() }, cancellationToken)
            : Task.FromResult<Outcome<BookProfile>>(Problem.Validation("Status must be one of: available, busy, away, offline"));

    public Task<Outcome<BookProfile>> SetCapAsync(string accountId, int maxActiveChats, CancellationToken cancellationToken) =>
        maxActiveChats is >= 0 and <= 50
            ? Change(accountId, p => p with { MaxActiveChats = maxActiveChats }, cancellationToken)
            : Task.FromResult<Outcome<BookProfile>>(Problem.Validation("maxActiveChats must be between 0 and 50"));

    private Task<Outcome<BookProfile>> Change(string accountId, Func<BookProfile, BookProfile> change, CancellationToken cancellationToken) =>
        store.UpdateAsync<BookProfile>(Keys.Profile(accountId), current => current is null ? Problem.NotFound("book") : change(current), cancellationToken);
}
