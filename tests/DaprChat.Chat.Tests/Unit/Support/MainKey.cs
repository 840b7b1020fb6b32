using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DaprChat.Contracts;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Chat.Tests.Unit.Support;

/// <summary>A P-256 signing key as main holds it (kid = RFC 7638 thumbprint), minting tickets shaped as main's TokenIssuer does.</summary>
public sealed class MainKey : IDisposable
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public MainKey()
    {
        Ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Key = new ECDsaSecurityKey(Ecdsa);
        Key.KeyId = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(Key).ComputeJwkThumbprint());
    }

    public ECDsa Ecdsa { get; }

    public ECDsaSecurityKey Key { get; }

    public string Kid => Key.KeyId;

    public void Dispose() => Ecdsa.Dispose();

    /// <summary>The entry main's <c>/.well-known/jwks.json</c> publishes for this key (its <c>Jwk</c> record, camel-cased).</summary>
    public object Jwk(string use = "sig", string alg = "ES256")
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(Key);
        return new { kty = "EC", crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = Kid, use, alg };
    }

    public static JsonWebKeySet Set(params object[] jwks) => new(JsonSerializer.Serialize(new { keys = jwks }));

    public static Dictionary<string, object> Claims(string sessionId = "s1", string participant = "anon_abc", string role = Roles.Student, string name = "Calm Fox",
        string[]? permissions = null) => new()
    {
        [ChatTickets.Claims.Subject] = participant,
        [ChatTickets.Claims.SessionId] = sessionId,
        [ChatTickets.Claims.Role] = role,
        [ChatTickets.Claims.Name] = name,
        [ChatTickets.Claims.Permissions] = permissions ?? [ChatTickets.Permissions.SendMessage, ChatTickets.Permissions.ViewHistory],
        [JwtRegisteredClaimNames.Jti] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
    };

    /// <summary>As TokenIssuer.IssueTicketAsync: iss main, aud chat, typ JWT, iat/nbf now, exp now + lifetime, ES256 with kid.</summary>
    public string Ticket(DateTimeOffset now, Dictionary<string, object>? claims = null, TimeSpan? lifetime = null, Action<SecurityTokenDescriptor>? tweak = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = ChatTickets.Issuer,
            Audience = ChatTickets.Audience,
            TokenType = "JWT",
            Claims = claims ?? Claims(),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + (lifetime ?? TimeSpan.FromHours(1))).UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.EcdsaSha256),
        };
        tweak?.Invoke(descriptor);
        return Handler.CreateToken(descriptor);
    }

    /// <summary>Any signed JWT with the given credentials (for forgeries: other keys, other algorithms).</summary>
    public static string Sign(DateTimeOffset now, SigningCredentials credentials) => Handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = ChatTickets.Issuer,
        Audience = ChatTickets.Audience,
        TokenType = "JWT",
        Claims = Claims(),
        IssuedAt = now.UtcDateTime,
        NotBefore = now.UtcDateTime,
        Expires = now.AddHours(1).UtcDateTime,
        SigningCredentials = credentials,
    });

    /// <summary>An unsigned token (<c>alg: none</c>) carrying this key's kid and a ticket's claims.</summary>
    public string Unsigned(DateTimeOffset now)
    {
        var header = new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = Kid };
        var payload = new Dictionary<string, object>(Claims())
        {
            ["iss"] = ChatTickets.Issuer,
            ["aud"] = ChatTickets.Audience,
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        return $"{Encode(header)}.{Encode(payload)}.";
    }

    private static string Encode(object value) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
}
