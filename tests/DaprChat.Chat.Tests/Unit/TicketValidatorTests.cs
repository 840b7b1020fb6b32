using System.Security.Cryptography;
using DaprChat.Chat.Tests.Unit.Support;
using DaprChat.Chat.Tickets;
using DaprChat.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace DaprChat.Chat.Tests.Unit;

public sealed class TicketValidatorTests : IDisposable
{
    private readonly TicketRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private async Task AssertRefusedAsync(TicketRefusal expected, string? ticket, string sessionId = "s1")
    {
        var check = await _rig.ValidateAsync(ticket, sessionId);
        Assert.Null(check.Ticket);
        Assert.Equal(expected, check.Refusal);
    }

    [Fact]
    public async Task A_valid_ticket_yields_the_session_participant_role_name_permissions_and_expiry()
    {
        var ticket = _rig.Main.Ticket(_rig.Now, MainKey.Claims("s1", "anon_abc", Roles.Student, "Calm Fox"));

        var check = await _rig.ValidateAsync(ticket);

        Assert.True(check.IsAccepted);
        Assert.Null(check.Refusal);
        Assert.Equal("s1", check.Ticket.SessionId);
        Assert.Equal("anon_abc", check.Ticket.ParticipantId);
        Assert.Equal(Roles.Student, check.Ticket.Role);
        Assert.Equal("Calm Fox", check.Ticket.DisplayName);
        Assert.True(check.Ticket.Permissions.SetEquals([ChatTickets.Permissions.SendMessage, ChatTickets.Permissions.ViewHistory]));
        Assert.Equal(_rig.Now.AddHours(1), check.Ticket.ExpiresAt);
    }

    [Theory]
    [InlineData(Roles.Counselor)]
    [InlineData(Roles.Volunteer)]
    public async Task Counsellors_and_volunteers_are_chat_participants_too(string role)
    {
        var check = await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now, MainKey.Claims(participant: "acc_1", role: role)));

        Assert.Equal(role, check.Ticket?.Role);
    }

    [Fact]
    public async Task A_ticket_with_view_history_but_not_send_message_is_accepted_and_says_so()
    {
        var check = await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now, MainKey.Claims(permissions: [ChatTickets.Permissions.ViewHistory])));

        Assert.True(check.IsAccepted);
        Assert.DoesNotContain(ChatTickets.Permissions.SendMessage, check.Ticket.Permissions);
    }

    [Fact]
    public async Task An_unsigned_ticket_with_alg_none_is_refused_as_a_bad_signature()
    {
        await AssertRefusedAsync(TicketRefusal.BadSignature, _rig.Main.Unsigned(_rig.Now));
    }

    [Fact]
    public async Task A_ticket_signed_with_HS256_using_main_public_key_bytes_is_refused_as_a_bad_signature()
    {
        // The classic key-confusion forgery: the public key, which anyone has, used as an HMAC secret under main's kid.
        var publicKey = new SymmetricSecurityKey(_rig.Main.Ecdsa.ExportSubjectPublicKeyInfo()) { KeyId = _rig.Main.Kid };
        var forged = MainKey.Sign(_rig.Now, new SigningCredentials(publicKey, SecurityAlgorithms.HmacSha256));

        await AssertRefusedAsync(TicketRefusal.BadSignature, forged);
    }

    [Fact]
    public async Task A_ticket_signed_by_another_key_under_main_kid_is_refused_as_a_bad_signature()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = MainKey.Sign(_rig.Now, new SigningCredentials(new ECDsaSecurityKey(other) { KeyId = _rig.Main.Kid }, SecurityAlgorithms.EcdsaSha256));

        await AssertRefusedAsync(TicketRefusal.BadSignature, forged);
    }

    [Fact]
    public async Task A_ticket_whose_kid_main_does_not_publish_is_refused_as_an_unknown_key()
    {
        using var stranger = new MainKey();

        await AssertRefusedAsync(TicketRefusal.UnknownKey, stranger.Ticket(_rig.Now));
    }

    [Fact]
    public async Task A_ticket_without_a_kid_is_refused_as_an_unknown_key_without_asking_main()
    {
        var noKid = new ECDsaSecurityKey(_rig.Main.Ecdsa);
        var ticket = MainKey.Sign(_rig.Now, new SigningCredentials(noKid, SecurityAlgorithms.EcdsaSha256));

        await AssertRefusedAsync(TicketRefusal.UnknownKey, ticket);
        Assert.Equal(0, _rig.Source.Fetches);
    }

    [Fact]
    public async Task A_ticket_for_another_audience_such_as_main_access_tokens_is_refused()
    {
        var accessToken = _rig.Main.Ticket(_rig.Now, tweak: d => { d.Audience = "main"; d.TokenType = "at+jwt"; });

        await AssertRefusedAsync(TicketRefusal.WrongIssuerOrAudience, accessToken);
    }

    [Fact]
    public async Task A_ticket_from_another_issuer_is_refused()
    {
        await AssertRefusedAsync(TicketRefusal.WrongIssuerOrAudience, _rig.Main.Ticket(_rig.Now, tweak: d => d.Issuer = "notify"));
    }

    [Fact]
    public async Task A_ticket_without_exp_is_refused_as_malformed()
    {
        await AssertRefusedAsync(TicketRefusal.Malformed, _rig.Main.Ticket(_rig.Now, tweak: d => d.Expires = null));
    }

    [Fact]
    public async Task A_ticket_expired_by_more_than_the_10_second_skew_is_refused()
    {
        var ticket = _rig.Main.Ticket(_rig.Now, lifetime: TimeSpan.FromMinutes(20));

        _rig.Time.Advance(TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(11));

        await AssertRefusedAsync(TicketRefusal.Expired, ticket);
    }

    [Fact]
    public async Task A_ticket_expired_within_the_10_second_skew_is_still_accepted()
    {
        var ticket = _rig.Main.Ticket(_rig.Now, lifetime: TimeSpan.FromMinutes(20));

        _rig.Time.Advance(TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(10));

        Assert.True((await _rig.ValidateAsync(ticket)).IsAccepted);
    }

    [Fact]
    public async Task A_ticket_not_valid_until_beyond_the_skew_is_refused_as_outside_its_lifetime()
    {
        var ticket = _rig.Main.Ticket(_rig.Now.AddSeconds(30));

        await AssertRefusedAsync(TicketRefusal.Expired, ticket);
    }

    [Fact]
    public async Task A_ticket_for_another_session_than_the_url_is_refused_as_the_wrong_session()
    {
        await AssertRefusedAsync(TicketRefusal.WrongSession, _rig.Main.Ticket(_rig.Now, MainKey.Claims(sessionId: "s1")), sessionId: "s2");
    }

    [Fact]
    public async Task A_ticket_without_view_history_is_refused_for_lack_of_permission()
    {
        await AssertRefusedAsync(TicketRefusal.NoPermission, _rig.Main.Ticket(_rig.Now, MainKey.Claims(permissions: [ChatTickets.Permissions.SendMessage])));
    }

    [Fact]
    public async Task A_ticket_with_a_role_that_has_no_seat_in_a_chat_is_refused_for_lack_of_permission()
    {
        await AssertRefusedAsync(TicketRefusal.NoPermission, _rig.Main.Ticket(_rig.Now, MainKey.Claims(role: Roles.Admin)));
    }

    [Fact]
    public async Task A_ticket_without_a_subject_is_refused_as_malformed()
    {
        var claims = MainKey.Claims();
        claims.Remove(ChatTickets.Claims.Subject);

        await AssertRefusedAsync(TicketRefusal.Malformed, _rig.Main.Ticket(_rig.Now, claims));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("..")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln")]
    [InlineData("a.b.c.d.e")]
    [InlineData("Bearer eyJhbGciOiJFUzI1NiJ9.e30.")]
    public async Task Garbage_strings_are_refused_as_malformed(string ticket)
    {
        await AssertRefusedAsync(TicketRefusal.Malformed, ticket);
        Assert.Equal(0, _rig.Source.Fetches);
    }

    [Fact]
    public async Task A_ticket_longer_than_the_limit_is_refused_unparsed()
    {
        await AssertRefusedAsync(TicketRefusal.Malformed, _rig.Main.Ticket(_rig.Now) + new string('A', _rig.Options.MaxTicketLength));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_or_absent_ticket_is_refused_as_missing(string? ticket)
    {
        await AssertRefusedAsync(TicketRefusal.Missing, ticket);
    }

    [Fact]
    public async Task Refusals_and_acceptances_never_log_the_ticket()
    {
        var good = _rig.Main.Ticket(_rig.Now);
        using var stranger = new MainKey();
        var unknown = stranger.Ticket(_rig.Now);
        var wrongSession = _rig.Main.Ticket(_rig.Now, MainKey.Claims(sessionId: "s9"));

        foreach (var ticket in new[] { good, unknown, wrongSession })
        {
            await _rig.ValidateAsync(ticket);
        }

        var lines = _rig.ValidatorLog.Lines.Concat(_rig.CacheLog.Lines).Select(l => l.Text).ToList();
        Assert.Contains(lines, l => l.Contains(nameof(TicketRefusal.WrongSession), StringComparison.Ordinal));
        foreach (var ticket in new[] { good, unknown, wrongSession })
        {
            // The signature is the part that makes a ticket usable; no line may carry it (nor the whole token).
            var signature = ticket[(ticket.LastIndexOf('.') + 1)..];
            Assert.DoesNotContain(lines, l => l.Contains(signature, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_clock_skew_over_10_seconds_is_refused_when_chat_starts()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Tickets:ClockSkew"] = "00:00:11";
        builder.AddChatTickets();
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TicketOptions>>().Value);
        Assert.Contains("ClockSkew", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_10_seconds_of_skew_a_30_second_unknown_kid_limit_and_a_5_minute_refresh()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddChatTickets();
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<TicketOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(10), options.ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(30), options.UnknownKidRefreshInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), options.JwksRefreshInterval);
        Assert.IsType<DaprJwksSource>(services.GetRequiredService<IJwksSource>(), exactMatch: false);
    }

    [Fact]
    public void Tickets_built_here_have_the_shape_main_issues()
    {
        var jwt = new JsonWebToken(_rig.Main.Ticket(_rig.Now));

        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
        Assert.Equal(_rig.Main.Kid, jwt.Kid);
        Assert.Equal(["send_message", "view_history"], jwt.Claims.Where(c => c.Type == "permissions").Select(c => c.Value));
    }
}
