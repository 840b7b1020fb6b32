using DaprChat.Contracts;
using DaprChat.Main.Accounts;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Sessions;
using DaprChat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Devices;

/// <summary>
/// notify's view of push tokens (sidecar-only): a counsellor by account id, a student by session pseudonym. main maps the
/// pseudonym here, so notify never learns which account a student is. Dead tokens are removed by device id.
/// </summary>
public static class RecipientDevicesApi
{
    public static IEndpointRouteBuilder MapRecipientDevicesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/internal/devices").RequireDaprSidecar().ExcludeFromDescription();
        group.MapGet("/{kind}/{recipientId}", GetAsync);
        group.MapDelete("/{kind}/{recipientId}/{deviceId}", RemoveAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<RecipientDevices>, ProblemHttpResult>> GetAsync(string kind, string recipientId, UserStore store, AccountService accounts,
        SessionService sessions, CancellationToken cancellationToken)
    {
        var account = await AccountOfAsync(kind, recipientId, accounts, sessions, cancellationToken);
        if (account.Problem is { } problem)
        {
            return problem.ToResult();
        }

        var list = await store.GetAsync<DeviceList>(Keys.Devices(account.Value!), cancellationToken);
        return TypedResults.Ok(new RecipientDevices((list?.Devices ?? []).Select(d => new PushDevice(d.Id, d.Token, d.Platform)).ToList()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string kind, string recipientId, string deviceId, UserStore store, AccountService accounts,
        SessionService sessions, CancellationToken cancellationToken)
    {
        var account = await AccountOfAsync(kind, recipientId, accounts, sessions, cancellationToken);
        if (account.Problem is { } problem)
        {
            return problem.ToResult();
        }

        // Removing a device that is already gone is success: notify may retry, and two instances may both see it dead.
        var removed = await store.UpdateAsync<DeviceList>(Keys.Devices(account.Value!), current =>
            new DeviceList((current?.Devices ?? []).Where(d => d.Id != deviceId).ToList()), cancellationToken);
        return removed.Problem is { } failed ? failed.ToResult() : TypedResults.NoContent();
    }

    /// <summary>The account behind a recipient, or a problem: an unknown kind is 400, an unknown or non-counsellor id 404.</summary>
    private static async Task<Outcome<string>> AccountOfAsync(string kind, string recipientId, AccountService accounts, SessionService sessions, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case RecipientKinds.Student:
                return recipientId.StartsWith("anon_", StringComparison.Ordinal) && await sessions.ResolvePseudonymAsync(recipientId, cancellationToken) is { } studentId
                    ? studentId
                    : Problem.NotFound("recipient");
            case RecipientKinds.Counselor:
                var account = await accounts.GetAsync(recipientId, cancellationToken);
                return account is { IsBook: true } ? account.Id : Problem.NotFound("recipient");
            default:
                return Problem.Validation("The recipient kind must be counselor or student");
        }
    }
}
