using System.Security.Cryptography;
using DaprChat.Contracts;
using DaprChat.Main.Security;
using DaprChat.Main.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace DaprChat.Main.Tests.Unit;

public sealed class KeysAndTicketsTests : IDisposable
{
    private readonly FakeSecrets _secrets = new();
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("daprchat-keys-").FullName;
    private readonly KeyRing _keys;
    private readonly TokenIssuer _issuer;

    public KeysAndTicketsTests()
    {
        _keys = new KeyRing(_secrets, Options.Create(new KeyOptions { DevDirectory = _dir, AllowDevKeys = true }), new Environment(_dir), _time, NullLogger<KeyRing>.Instance);
        _issuer = new TokenIssuer(_keys, Options.Create(new TokenOptions()), _time);
    }

    public void Dispose()
    {
        _keys.Dispose();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "main";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    private static string NewPem() => ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    private async Task<TokenValidationResult> ValidateAsync(string ticket) => await new JsonWebTokenHandler().ValidateTokenAsync(ticket,
        TokenValidation.Parameters(_keys, _time, TimeSpan.FromSeconds(10), ChatTickets.Audience, null));

    private static readonly ChatParticipant Student = new("anon_abc", Roles.Student, "Calm Fox");

    [Fact]
    public async Task A_ticket_names_the_session_participant_role_and_permissions_for_audience_chat_from_issuer_main()
    {
        var ticket = await _issuer.IssueTicketAsync("s1", Student, _time.GetUtcNow().AddHours(8), CancellationToken.None);

        var result = await ValidateAsync(ticket.Ticket);
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(_keys.Snapshot!.Current.KeyId, jwt.Kid);
        Assert.Equal("main", jwt.Issuer);
        Assert.Equal(["chat"], jwt.Audiences);
        Assert.Equal("s1", jwt.GetClaim("session_id").Value);
        Assert.Equal("anon_abc", jwt.Subject);
        Assert.Equal("student", jwt.GetClaim("role").Value);
        Assert.Equal(["send_message", "view_history"], jwt.Claims.Where(c => c.Type == "permissions").Select(c => c.Value));
        Assert.Equal(_time.GetUtcNow().AddHours(1), ticket.ExpiresAt);
    }

    [Fact]
    public async Task A_ticket_never_outlives_its_session_and_is_refused_once_expired_beyond_the_skew()
    {
        var sessionEnds = _time.GetUtcNow().AddMinutes(20);
        var ticket = await _issuer.IssueTicketAsync("s1", Student, sessionEnds, CancellationToken.None);
        Assert.Equal(sessionEnds, ticket.ExpiresAt);

        _time.Advance(TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(5));
        Assert.True((await ValidateAsync(ticket.Ticket)).IsValid);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.False((await ValidateAsync(ticket.Ticket)).IsValid);
    }

    [Fact]
    public async Task Without_keys_in_the_secrets_store_dev_keys_are_generated_once_into_the_ignored_folder_and_reused()
    {
        var first = await _keys.GetAsync(CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(_dir, "signing-key.pem")));
        Assert.True(File.Exists(Path.Combine(_dir, "student-key-pepper")));

        using var again = new KeyRing(_secrets, Options.Create(new KeyOptions { DevDirectory = _dir, AllowDevKeys = true }), new Environment(_dir), _time, NullLogger<KeyRing>.Instance);
        Assert.Equal(first.Current.KeyId, (await again.GetAsync(CancellationToken.None)).Current.KeyId);

        using var production = new KeyRing(_secrets, Options.Create(new KeyOptions { DevDirectory = _dir }), new Environment(_dir), _time, NullLogger<KeyRing>.Instance);
        await Assert.ThrowsAsync<InvalidOperationException>(() => production.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task After_a_rotation_new_tickets_use_the_new_kid_and_tickets_of_open_sessions_still_verify()
    {
        var oldPem = NewPem();
        _secrets.Secrets["main-signing-key"] = oldPem;
        _secrets.Secrets["main-student-key-pepper"] = "pepper";
        var before = await _issuer.IssueTicketAsync("s1", Student, _time.GetUtcNow().AddHours(8), CancellationToken.None);

        _secrets.Secrets["main-signing-key"] = NewPem();
        _secrets.Secrets["main-signing-key-previous"] = KeyRing.ToKey(oldPem, requirePrivate: false).ECDsa.ExportSubjectPublicKeyInfoPem();
        _time.Advance(new KeyOptions().RefreshInterval);
        var after = await _issuer.IssueTicketAsync("s2", Student, _time.GetUtcNow().AddHours(8), CancellationToken.None);

        Assert.NotEqual(new JsonWebToken(before.Ticket).Kid, new JsonWebToken(after.Ticket).Kid);
        Assert.True((await ValidateAsync(before.Ticket)).IsValid);
        Assert.True((await ValidateAsync(after.Ticket)).IsValid);
        Assert.Equal(2, _keys.Snapshot!.Verification.Count);

        _secrets.Secrets.Remove("main-signing-key-previous");
        _time.Advance(new KeyOptions().RefreshInterval);
        await _keys.GetAsync(CancellationToken.None);
        Assert.False((await ValidateAsync(before.Ticket)).IsValid);
    }

    [Fact]
    public void A_student_key_is_stable_per_account_and_depends_on_the_pepper()
    {
        var pepper = "pepper"u8.ToArray();

        Assert.Equal(StudentKeys.Derive(pepper, "account-1"), StudentKeys.Derive(pepper, "account-1"));
        Assert.NotEqual(StudentKeys.Derive(pepper, "account-1"), StudentKeys.Derive(pepper, "account-2"));
        Assert.NotEqual(StudentKeys.Derive(pepper, "account-1"), StudentKeys.Derive("other"u8.ToArray(), "account-1"));
        Assert.DoesNotContain("account-1", StudentKeys.Derive(pepper, "account-1"), StringComparison.Ordinal);
    }
}
