using System.Security.Claims;
using DaprChat.Contracts;
using DaprChat.Main.Security;
using DaprChat.Main.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Accounts;

public sealed record RegisterRequest(string Email, string Password, string DisplayName);

public sealed record LoginRequest(string Email, string Password);

public sealed record RefreshRequest(string RefreshToken);

public sealed record AcceptInviteRequest(string Code, string Password);

/// <summary>An account as its owner (or an admin) sees it.</summary>
public sealed record AccountView(string Id, string Email, string DisplayName, string Role, string State, bool Blocked)
{
    public static AccountView From(Account a) => new(a.Id, a.Email, a.DisplayName, a.Role, a.State, a.Blocked);
}

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt, string Role, string AccountId);

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/auth").WithTags("Auth").WithProblemResponses();
        group.MapPost("/register", RegisterAsync).ProducesProblem(StatusCodes.Status409Conflict).AllowAnonymous().WithAddressBudget(b => b.SignIn);
        group.MapPost("/login", LoginAsync).ProducesProblem(StatusCodes.Status401Unauthorized).AllowAnonymous().WithAddressBudget(b => b.SignIn);
        group.MapPost("/refresh", RefreshAsync).ProducesProblem(StatusCodes.Status401Unauthorized).AllowAnonymous().WithAddressBudget(b => b.Refresh);
        group.MapPost("/logout", LogoutAsync).AllowAnonymous();
        group.MapPost("/accept-invite", AcceptInviteAsync).AllowAnonymous().WithAddressBudget(b => b.SignIn);
        group.MapGet("/me", MeAsync).RequireAuthorization();
        return endpoints;
    }

    private static async Task<Results<Created<AccountView>, ProblemHttpResult>> RegisterAsync(RegisterRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        // Self-registration only ever makes students; staff come from an admin's invite.
        var created = await accounts.CreateAsync(request.Email, request.DisplayName, Roles.Student, request.Password ?? "", cancellationToken);
        return created.Problem is { } problem ? problem.ToResult() : TypedResults.Created("/api/auth/me", AccountView.From(created.Value!));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(LoginRequest request, SignInService signIn, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await signIn.SignInAsync(request.Email, request.Password, cancellationToken);
        return result.Problem is { } problem ? problem.ToResult(context) : TypedResults.Ok(ToResponse(result.Value!));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(RefreshRequest request, SignInService signIn, CancellationToken cancellationToken)
    {
        var result = await signIn.RefreshAsync(request.RefreshToken, cancellationToken);
        return result.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(ToResponse(result.Value!));
    }

    private static async Task<NoContent> LogoutAsync(RefreshRequest request, SignInService signIn, CancellationToken cancellationToken)
    {
        await signIn.SignOutAsync(request.RefreshToken, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> AcceptInviteAsync(AcceptInviteRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        var result = await accounts.AcceptInviteAsync(request.Code, request.Password, cancellationToken);
        return result.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(AccountView.From(result.Value!));
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> MeAsync(ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(user.RequiredAccountId(), cancellationToken);
        return account is null ? Infrastructure.Problem.NotFound("account").ToResult() : TypedResults.Ok(AccountView.From(account));
    }

    private static TokenResponse ToResponse(TokenPair pair) => new(pair.AccessToken, "Bearer", pair.ExpiresInSeconds, pair.AccessTokenExpiresAt,
        pair.RefreshToken, pair.RefreshTokenExpiresAt, pair.Role, pair.AccountId);
}
