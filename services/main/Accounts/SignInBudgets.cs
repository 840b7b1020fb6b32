using DaprChat.Main.Infrastructure;
using Microsoft.Extensions.Options;

namespace DaprChat.Main.Accounts;

/// <summary>The per-address budgets of the anonymous auth routes: one for signing in, one for refreshing.</summary>
public sealed class SignInBudgets(IOptions<AccountOptions> options, TimeProvider time)
{
    public AddressBudget SignIn { get; } = new(options.Value.SignInPermitsPerAddress, options.Value.AddressWindow, time);

    public AddressBudget Refresh { get; } = new(options.Value.RefreshPermitsPerAddress, options.Value.AddressWindow, time);

    public static readonly Problem RateLimited = new(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests from this address; try again soon");
}

public static class SignInBudgetFilters
{
    /// <summary>Refuses the call with 429 and the real time left in the window once this address has used its budget.</summary>
    public static RouteHandlerBuilder WithAddressBudget(this RouteHandlerBuilder builder, Func<SignInBudgets, AddressBudget> budget) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            var (allowed, retryAfter) = budget(http.RequestServices.GetRequiredService<SignInBudgets>()).TryTake(address);
            return allowed ? await next(context) : (SignInBudgets.RateLimited with { RetryAfter = retryAfter }).ToResult(http);
        }).ProducesProblem(StatusCodes.Status429TooManyRequests);
}
