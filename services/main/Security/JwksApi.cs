using DaprChat.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Main.Security;

public sealed record Jwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

public sealed record JwksDocument(IReadOnlyList<Jwk> Keys);

/// <summary>main's public keys (current and previous), for chat to verify tickets; reachable directly and through Dapr.</summary>
public static class JwksApi
{
    public static IEndpointRouteBuilder MapJwksApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ChatTickets.JwksPath, GetAsync).WithName("GetJwks").WithTags("Security").AllowAnonymous();
        return endpoints;
    }

    private static async Task<Ok<JwksDocument>> GetAsync(KeyRing keys, HttpContext context, CancellationToken cancellationToken)
    {
        var keySet = await keys.GetAsync(cancellationToken);
        // Short cache: verifiers refetch on an unknown kid anyway, and a rotation shows up within minutes.
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new JwksDocument(keySet.Verification.Select(ToJwk).ToList()));
    }

    private static Jwk ToJwk(ECDsaSecurityKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key);
        return new Jwk("EC", jwk.Crv, jwk.X, jwk.Y, key.KeyId, "sig", SecurityAlgorithms.EcdsaSha256);
    }
}
