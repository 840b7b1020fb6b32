using DaprChat.Contracts;
using DaprChat.Main.Accounts;
using DaprChat.Main.Directory;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Admin;

public sealed record CreateStaffRequest(string Email, string DisplayName, string Role, int? MaxActiveChats = null);

/// <summary>The invite code is shown once, to the admin, to hand to the new counsellor; only its hash is stored.</summary>
public sealed record StaffInvited(AccountView Account, string InviteCode);

public sealed record StaffView(AccountView Account, BookProfile? Profile);

/// <summary>A partial update: fields left out (or null) stay as they are.</summary>
public sealed record StaffUpdate(int? MaxActiveChats = null, bool? Disabled = null);

public sealed record BlockRequest(string Pseudonym);

/// <summary>Staff accounts, caps and blocks. Blocking works on a pseudonym: the admin never learns who is behind it.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(Policies.Admin).WithProblemResponses();
        group.MapPost("/accounts", CreateAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/accounts", ListAsync);
        group.MapPatch("/accounts/{accountId}", UpdateAsync);
        group.MapPost("/blocks", BlockAsync);
        group.MapDelete("/blocks/{pseudonym}", UnblockAsync);
        return endpoints;
    }

    private static async Task<Results<Created<StaffInvited>, ProblemHttpResult>> CreateAsync(CreateStaffRequest request, AccountService accounts, DirectoryService directory, CancellationToken cancellationToken)
    {
        if (request.Role is not (Roles.Counselor or Roles.Volunteer or Roles.Admin))
        {
            return Problem.Validation("Role must be counselor, volunteer or admin").ToResult();
        }

        if (request.MaxActiveChats is < 0 or > 50)
        {
            return Problem.Validation("maxActiveChats must be between 0 and 50").ToResult();
        }

        var created = await accounts.CreateAsync(request.Email, request.DisplayName, request.Role, password: null, cancellationToken);
        if (created.Problem is { } problem)
        {
            return problem.ToResult();
        }

        var account = created.Value!;
        if (account.IsBook)
        {
            await directory.CreateProfileAsync(account, request.MaxActiveChats, cancellationToken);
        }

        var code = await accounts.CreateInviteAsync(account, cancellationToken);
        return TypedResults.Created($"/api/admin/accounts/{account.Id}", new StaffInvited(AccountView.From(account), code));
    }

    private static async Task<Ok<List<StaffView>>> ListAsync(DirectoryService directory, AccountService accounts, UserStore store, CancellationToken cancellationToken)
    {
        var index = await store.GetAsync<BooksIndex>(Keys.BooksIndex, cancellationToken);
        var ids = index?.AccountIds ?? [];
        var found = await store.GetManyAsync<Account>(ids.Select(Keys.Account).ToList(), cancellationToken);
        var profiles = await store.GetManyAsync<BookProfile>(ids.Select(Keys.Profile).ToList(), cancellationToken);
        return TypedResults.Ok(found.Values
            .Select(a => new StaffView(AccountView.From(a), profiles.GetValueOrDefault(Keys.Profile(a.Id))))
            .OrderBy(s => s.Account.DisplayName, StringComparer.Ordinal).ToList());
    }

    private static async Task<Results<Ok<StaffView>, ProblemHttpResult>> UpdateAsync(string accountId, StaffUpdate update, AccountService accounts, DirectoryService directory, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken);
        if (account is not { IsBook: true })
        {
            return Problem.NotFound("account").ToResult();
        }

        if (update.Disabled is { } disabled)
        {
            var changed = await accounts.UpdateAsync(accountId, a => a with
            {
                State = disabled ? AccountStates.Disabled : a.PasswordHash is null ? AccountStates.Invited : AccountStates.Active,
            }, cancellationToken);
            account = changed.Value ?? account;
        }

        BookProfile? profile = null;
        if (update.MaxActiveChats is { } cap)
        {
            var changed = await directory.SetCapAsync(accountId, cap, cancellationToken);
            if (changed.Problem is { } problem)
            {
                return problem.ToResult();
            }

            profile = changed.Value;
        }

        return TypedResults.Ok(new StaffView(AccountView.From(account), profile ?? await directory.GetProfileAsync(accountId, cancellationToken)));
    }

    private static Task<Results<NoContent, ProblemHttpResult>> BlockAsync(BlockRequest request, Sessions.SessionService sessions, AccountService accounts, CancellationToken cancellationToken) =>
        SetBlockedAsync(request.Pseudonym, true, sessions, accounts, cancellationToken);

    private static Task<Results<NoContent, ProblemHttpResult>> UnblockAsync(string pseudonym, Sessions.SessionService sessions, AccountService accounts, CancellationToken cancellationToken) =>
        SetBlockedAsync(pseudonym, false, sessions, accounts, cancellationToken);

    private static async Task<Results<NoContent, ProblemHttpResult>> SetBlockedAsync(string pseudonym, bool blocked, Sessions.SessionService sessions, AccountService accounts, CancellationToken cancellationToken)
    {
        var accountId = await sessions.ResolvePseudonymAsync(pseudonym ?? "", cancellationToken);
        if (accountId is null)
        {
            return Problem.NotFound("pseudonym").ToResult();
        }

        var changed = await accounts.UpdateAsync(accountId, a => a with { Blocked = blocked }, cancellationToken);
        // The answer is the same for every pseudonym, so the admin learns nothing about the account behind it.
        return changed.Problem is { } problem ? problem.ToResult() : TypedResults.NoContent();
    }
}
