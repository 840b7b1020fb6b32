using System.Collections.Frozen;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Chat.Tickets;

/// <summary>
/// Verifies a chat ticket from main for one session: ES256 only, kid resolved against main's JWKS only, issuer main,
/// audience chat, exp within <see cref="TicketOptions.ClockSkew"/>, the URL's session, a chat role and <c>view_history</c>.
/// Never logs the ticket.
/// </summary>
public sealed partial class TicketValidator(JwksCache keys, IOptions<TicketOptions> options, TimeProvider time, ILogger<TicketValidator> logger)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };
    private static readonly FrozenSet<string> ParticipantRoles = FrozenSet.Create(StringComparer.Ordinal, Roles.Student, Roles.Counselor, Roles.Volunteer);

    public async Task<TicketCheck> ValidateAsync(string? ticket, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var check = await CheckAsync(ticket, sessionId, cancellationToken);
        if (check.Refusal is { } refusal)
        {
            LogRefused(LevelOf(refusal), sessionId, refusal);
        }

        return check;
    }

    private async Task<TicketCheck> CheckAsync(string? ticket, string sessionId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(ticket))
        {
            return TicketCheck.Refuse(TicketRefusal.Missing);
        }

        if (ticket.Length > options.Value.MaxTicketLength || Parse(ticket) is not { } jwt)
        {
            return TicketCheck.Refuse(TicketRefusal.Malformed);
        }

        // Checked before any key lookup: alg none, HS256 and friends never reach a verifier.
        if (jwt.Alg != ChatTickets.Algorithm)
        {
            return TicketCheck.Refuse(TicketRefusal.BadSignature);
        }

        // A missing kid is not looked up, so it cannot trigger a JWKS fetch.
        if (string.IsNullOrEmpty(jwt.Kid) || await keys.FindAsync(jwt.Kid, cancellationToken) is not { } key)
        {
            return TicketCheck.Refuse(TicketRefusal.UnknownKey);
        }

        var result = await Handler.ValidateTokenAsync(jwt, Parameters(key));
        if (!result.IsValid)
        {
            return TicketCheck.Refuse(RefusalFor(result.Exception));
        }

        return CheckLifetime(jwt) ?? CheckClaims(jwt, sessionId);
    }

    private static JsonWebToken? Parse(string ticket)
    {
        try
        {
            // Five-part JWE tokens are readable too, but main signs and never encrypts tickets.
            return Handler.CanReadToken(ticket) && new JsonWebToken(ticket) is { IsEncrypted: false } jwt ? jwt : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = ChatTickets.Issuer,
        ValidAudience = ChatTickets.Audience,
        ValidAlgorithms = [ChatTickets.Algorithm],
        RequireSignedTokens = true,
        IssuerSigningKey = key,
        TryAllIssuerSigningKeys = false,
        ValidateIssuerSigningKey = true,
        // Lifetime is checked by CheckLifetime against the injected clock, where a missing exp is told apart.
        ValidateLifetime = false,
        RequireExpirationTime = false,
    };

    private static TicketRefusal RefusalFor(Exception? exception) => exception switch
    {
        SecurityTokenInvalidIssuerException or SecurityTokenInvalidAudienceException => TicketRefusal.WrongIssuerOrAudience,
        SecurityTokenInvalidAlgorithmException or SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => TicketRefusal.BadSignature,
        SecurityTokenExpiredException or SecurityTokenNotYetValidException or SecurityTokenInvalidLifetimeException => TicketRefusal.Expired,
        _ => TicketRefusal.Malformed,
    };

    private TicketCheck? CheckLifetime(JsonWebToken jwt)
    {
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _))
        {
            return TicketCheck.Refuse(TicketRefusal.Malformed);
        }

        var now = time.GetUtcNow();
        var skew = options.Value.ClockSkew;
        var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        var notBefore = jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out _) ? new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero) : (DateTimeOffset?)null;
        // A ticket that is not valid yet is outside its lifetime just as an expired one is.
        return expires + skew < now || notBefore - skew > now ? TicketCheck.Refuse(TicketRefusal.Expired) : null;
    }

    private static TicketCheck CheckClaims(JsonWebToken jwt, string sessionId)
    {
        if (!jwt.TryGetPayloadValue<string>(ChatTickets.Claims.SessionId, out var ticketSession) || string.IsNullOrEmpty(ticketSession))
        {
            return TicketCheck.Refuse(TicketRefusal.Malformed);
        }

        if (!string.Equals(ticketSession, sessionId, StringComparison.Ordinal))
        {
            return TicketCheck.Refuse(TicketRefusal.WrongSession);
        }

        if (!jwt.TryGetPayloadValue<string>(ChatTickets.Claims.Subject, out var participant) || string.IsNullOrEmpty(participant)
            || !jwt.TryGetPayloadValue<string>(ChatTickets.Claims.Role, out var role) || string.IsNullOrEmpty(role)
            || !jwt.TryGetPayloadValue<string>(ChatTickets.Claims.Name, out var name) || name is null)
        {
            return TicketCheck.Refuse(TicketRefusal.Malformed);
        }

        // main mints only these; an admin (or any other) role has no seat in a chat.
        if (!ParticipantRoles.Contains(role))
        {
            return TicketCheck.Refuse(TicketRefusal.NoPermission);
        }

        var permissions = jwt.Claims.Where(c => c.Type == ChatTickets.Claims.Permissions).Select(c => c.Value).ToFrozenSet(StringComparer.Ordinal);
        if (!permissions.Contains(ChatTickets.Permissions.ViewHistory))
        {
            return TicketCheck.Refuse(TicketRefusal.NoPermission);
        }

        return TicketCheck.Accept(new ChatTicket(sessionId, participant, role, name, permissions, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero)));
    }

    // Client mistakes and old tickets are routine; signatures and keys that do not check out are worth a look.
    private static LogLevel LevelOf(TicketRefusal refusal) => refusal switch
    {
        TicketRefusal.BadSignature or TicketRefusal.UnknownKey or TicketRefusal.WrongIssuerOrAudience => LogLevel.Warning,
        _ => LogLevel.Debug,
    };

    [LoggerMessage(Message = "Refused a chat ticket for session {SessionId}: {Refusal}")]
    private partial void LogRefused(LogLevel level, string sessionId, TicketRefusal refusal);
}
