using System.Security.Claims;
using System.Security.Cryptography;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Main.Security;

/// <summary>Token lifetimes (section <c>Tokens</c>).</summary>
public sealed class TokenOptions
{
    public const string AccessAudience = "main";
    public const string AccessTokenType = "at+jwt";

    /// <summary>Access tokens: at most 15 minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Chat tickets: never past the session's own expiry.</summary>
    public TimeSpan TicketLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Accepted clock difference between main and whoever validates (at most 10 s).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed record AccessToken(string Token, DateTimeOffset ExpiresAt);

public sealed record ChatTicket(string Ticket, DateTimeOffset ExpiresAt);

/// <summary>Mints main's JWTs: access tokens (audience main) and chat tickets (audience chat), ES256 with kid.</summary>
public sealed class TokenIssuer(KeyRing keys, IOptions<TokenOptions> options, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async Task<AccessToken> IssueAccessTokenAsync(string accountId, string role, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expires = now + Min(options.Value.AccessTokenLifetime, TimeSpan.FromMinutes(15));
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = accountId,
            [JwtRegisteredClaimNames.Jti] = NewId(),
            ["role"] = role,
            ["isCounselor"] = role is Roles.Counselor or Roles.Volunteer,
            ["isAdmin"] = role == Roles.Admin,
        };
        return new AccessToken(await CreateAsync(TokenOptions.AccessAudience, TokenOptions.AccessTokenType, claims, now, expires, cancellationToken), expires);
    }

    /// <summary>A ticket for one participant of one session, expiring at the ticket lifetime or the session's end, whichever is first.</summary>
    public async Task<ChatTicket> IssueTicketAsync(string sessionId, ChatParticipant participant, DateTimeOffset sessionExpiresAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expires = Min(now + options.Value.TicketLifetime, sessionExpiresAt);
        var claims = new Dictionary<string, object>
        {
            [ChatTickets.Claims.Subject] = participant.Id,
            [ChatTickets.Claims.SessionId] = sessionId,
            [ChatTickets.Claims.Role] = participant.Role,
            [ChatTickets.Claims.Name] = participant.DisplayName,
            [ChatTickets.Claims.Permissions] = new[] { ChatTickets.Permissions.SendMessage, ChatTickets.Permissions.ViewHistory },
            [JwtRegisteredClaimNames.Jti] = NewId(),
        };
        return new ChatTicket(await CreateAsync(ChatTickets.Audience, "JWT", claims, now, expires, cancellationToken), expires);
    }

    private async Task<string> CreateAsync(string audience, string type, Dictionary<string, object> claims, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var keySet = await keys.GetAsync(cancellationToken);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ChatTickets.Issuer,
            Audience = audience,
            TokenType = type,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = keySet.SigningCredentials,
        });
    }

    private static string NewId() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    private static T Min<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b) <= 0 ? a : b;
}

/// <summary>How main checks its own JWTs (and how chat should check tickets): ES256 only, known kid, issuer, audience, lifetime.</summary>
public static class TokenValidation
{
    public static TokenValidationParameters Parameters(KeyRing keys, TimeProvider time, TimeSpan clockSkew, string audience, string? tokenType) => new()
    {
        ValidIssuer = ChatTickets.Issuer,
        ValidAudience = audience,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ValidTypes = tokenType is null ? null : [tokenType],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuerSigningKey = true,
        TryAllIssuerSigningKeys = false,
        ClockSkew = clockSkew,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = "role",
        // Resolved by kid only: an unknown kid is refused rather than tried against every key.
        IssuerSigningKeyResolver = (_, _, kid, _) =>
            keys.Snapshot?.Verification.Where(k => k.KeyId == kid) ?? [],
        // Through TimeProvider so lifetimes follow the same clock that issued them (tests move it).
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } exp && exp + parameters.ClockSkew >= now && (notBefore is not { } nbf || nbf - parameters.ClockSkew <= now);
        },
    };

    public static string? AccountId(this ClaimsPrincipal user) => user.FindFirstValue(JwtRegisteredClaimNames.Sub);

    public static string RequiredAccountId(this ClaimsPrincipal user) =>
        user.AccountId() ?? throw new InvalidOperationException("An authenticated principal without a subject");
}
