using System.Net;
using System.Security.Cryptography;
using System.Text;
using DaprChat.Main.Security;
using DaprChat.Main.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

[Collection(MainCollection.Name)]
public sealed class TokenTests(MainFixture fixture)
{
    private readonly Api _api = new(fixture.Http);

    private ECDsaSecurityKey MainKey => fixture.Main.Services.GetRequiredService<KeyRing>().Snapshot!.Current;

    /// <summary>A token shaped like main's access tokens, signed as the test says; valid unless a parameter makes it not.</summary>
    private string Forge(User user, SecurityKey key, string? kid = null, string audience = "main", TimeSpan? expiresIn = null, string type = "at+jwt")
    {
        var now = fixture.Time.GetUtcNow().UtcDateTime;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(5));
        var signing = key is ECDsaSecurityKey ec ? new ECDsaSecurityKey(ec.ECDsa) { KeyId = kid ?? key.KeyId } : key;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "main",
            Audience = audience,
            TokenType = type,
            Claims = new Dictionary<string, object> { ["sub"] = user.Id, ["role"] = user.Role },
            IssuedAt = expires.AddMinutes(-10),
            NotBefore = expires.AddMinutes(-10),
            Expires = expires,
            SigningCredentials = new SigningCredentials(signing, signing is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.HmacSha256),
        });
    }

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var response = await _api.SendAsync(HttpMethod.Get, "/api/auth/me", token);
        return response.StatusCode;
    }

    [Fact]
    public async Task An_access_token_carries_the_user_id_and_role_and_is_signed_ES256_with_a_kid_for_at_most_15_minutes()
    {
        var student = await _api.StudentAsync();

        var jwt = new JsonWebToken(student.AccessToken);

        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(MainKey.KeyId, jwt.Kid);
        Assert.Equal(student.Id, jwt.Subject);
        Assert.Equal("student", jwt.GetClaim("role").Value);
        Assert.Equal("false", jwt.GetClaim("isCounselor").Value);
        Assert.Equal("false", jwt.GetClaim("isAdmin").Value);
        Assert.True(jwt.ValidTo - jwt.IssuedAt <= TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(student.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(Forge(student, MainKey)));
    }

    [Fact]
    public async Task Tokens_with_alg_none_a_wrong_key_an_unknown_kid_a_wrong_audience_or_a_wrong_type_are_refused()
    {
        var student = await _api.StudentAsync();
        var header = Base64UrlEncoder.Encode($$"""{"alg":"none","typ":"at+jwt","kid":"{{MainKey.KeyId}}"}""");
        var payload = student.AccessToken.Split('.')[1];
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        // HS256 keyed with main's public key: the classic algorithm-confusion forgery.
        var publicKeyAsSecret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(MainKey.ECDsa.ExportSubjectPublicKeyInfoPem())) { KeyId = MainKey.KeyId };

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync($"{header}.{payload}."));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(student, stranger, kid: MainKey.KeyId)));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(student, MainKey, kid: "not-a-known-kid")));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(student, MainKey, audience: "chat")));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(student, MainKey, type: "JWT")));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(student, publicKeyAsSecret)));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(student.AccessToken[..^4] + (student.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA")));
    }

    [Fact]
    public async Task A_chat_ticket_is_not_accepted_as_an_access_token()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin);
        var student = await _api.StudentAsync();
        var ticket = (await _api.RequestChatAsync(student, counselor))["ticket"]!["ticket"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(ticket));
    }

    [Fact]
    public async Task An_expired_token_is_refused_beyond_ten_seconds_of_clock_skew_and_accepted_within_it()
    {
        var student = await _api.StudentAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(student, MainKey, expiresIn: TimeSpan.FromSeconds(-11))));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(Forge(student, MainKey, expiresIn: TimeSpan.FromSeconds(-5))));

        var issued = student.AccessToken;
        fixture.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(issued));
    }

    [Fact]
    public async Task Refresh_rotates_the_token_and_reusing_an_old_one_revokes_the_whole_family()
    {
        var student = await _api.StudentAsync();

        var rotated = await _api.JsonAsync(HttpMethod.Post, "/api/auth/refresh", body: new { refreshToken = student.RefreshToken });
        var next = rotated["refreshToken"]!.GetValue<string>();
        Assert.NotEqual(student.RefreshToken, next);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(rotated["accessToken"]!.GetValue<string>()));

        Assert.Equal("refresh_token_reused", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/refresh", null, new { refreshToken = student.RefreshToken }, HttpStatusCode.Unauthorized));
        Assert.Equal("invalid_refresh_token", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/refresh", null, new { refreshToken = next }, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token()
    {
        var student = await _api.StudentAsync();

        using var loggedOut = await _api.SendAsync(HttpMethod.Post, "/api/auth/logout", body: new { refreshToken = student.RefreshToken });

        Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
        Assert.Equal("invalid_refresh_token", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/refresh", null, new { refreshToken = student.RefreshToken }, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task The_JWKS_publishes_only_public_ES256_keys_with_their_kid()
    {
        var jwks = await _api.JsonAsync(HttpMethod.Get, "/.well-known/jwks.json");

        var key = Assert.Single(jwks["keys"]!.AsArray())!;
        Assert.Equal(MainKey.KeyId, key["kid"]!.GetValue<string>());
        Assert.Equal("ES256", key["alg"]!.GetValue<string>());
        Assert.Equal("P-256", key["crv"]!.GetValue<string>());
        Assert.Null(key["d"]);
    }

    [Fact]
    public async Task Self_registration_makes_students_only_and_the_email_is_unique()
    {
        var email = Api.UniqueEmail("dup");
        var created = await _api.JsonAsync(HttpMethod.Post, "/api/auth/register", body: new { email, password = Api.Password, displayName = "Dup", role = "admin" }, expected: HttpStatusCode.Created);

        Assert.Equal("student", created["role"]!.GetValue<string>());
        Assert.Equal("email_taken", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/register", null, new { email = email.ToUpperInvariant(), password = Api.Password, displayName = "Dup" }, HttpStatusCode.Conflict));
        Assert.Equal("invalid_request", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/register", null, new { email = Api.UniqueEmail("short"), password = "short", displayName = "S" }, HttpStatusCode.BadRequest));
    }
}
