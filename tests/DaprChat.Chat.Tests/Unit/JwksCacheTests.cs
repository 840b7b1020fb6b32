using System.Net;
using System.Text;
using DaprChat.Chat.Tests.Unit.Support;
using DaprChat.Chat.Tickets;
using DaprChat.Contracts;
using DaprChat.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace DaprChat.Chat.Tests.Unit;

public sealed class JwksCacheTests : IDisposable
{
    private readonly TicketRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private static string RandomKid() => Base64UrlEncoder.Encode(Guid.NewGuid().ToByteArray());

    [Fact]
    public async Task After_main_rotates_its_key_the_cache_refetches_once_and_accepts_the_new_kid()
    {
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        Assert.Equal(1, _rig.Source.Fetches);

        using var next = new MainKey();
        _rig.Source.Keys = MainKey.Set(next.Jwk(), _rig.Main.Jwk());
        _rig.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.True((await _rig.ValidateAsync(next.Ticket(_rig.Now))).IsAccepted);
        Assert.True((await _rig.ValidateAsync(next.Ticket(_rig.Now, MainKey.Claims(sessionId: "s2")), "s2")).IsAccepted);
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        Assert.Equal(2, _rig.Source.Fetches);
    }

    [Fact]
    public async Task A_burst_of_tickets_with_random_unknown_kids_causes_at_most_one_fetch_per_interval()
    {
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);

        for (var i = 0; i < 200; i++)
        {
            Assert.Null(await _rig.Cache.FindAsync(RandomKid(), CancellationToken.None));
        }

        Assert.Equal(1, _rig.Source.Fetches);

        _rig.Time.Advance(_rig.Options.UnknownKidRefreshInterval);
        for (var i = 0; i < 200; i++)
        {
            Assert.Null(await _rig.Cache.FindAsync(RandomKid(), CancellationToken.None));
        }

        Assert.Equal(2, _rig.Source.Fetches);
    }

    [Fact]
    public async Task A_parallel_burst_of_unknown_kids_shares_one_fetch()
    {
        _rig.Source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookups = Enumerable.Range(0, 50).Select(_ => Task.Run(() => _rig.Cache.FindAsync(RandomKid(), CancellationToken.None).AsTask())).ToList();

        await Task.Delay(200);
        _rig.Source.Gate.SetResult();

        Assert.All(await Task.WhenAll(lookups), Assert.Null);
        Assert.Equal(1, _rig.Source.Fetches);
    }

    [Fact]
    public async Task A_failing_source_keeps_the_keys_already_loaded()
    {
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        _rig.Source.Fail = true;

        // Past the refresh age (a refresh is attempted and fails), then an unknown kid (another attempt, another failure).
        _rig.Time.Advance(_rig.Options.JwksRefreshInterval + TimeSpan.FromSeconds(1));
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        _rig.Time.Advance(_rig.Options.UnknownKidRefreshInterval);
        Assert.Null(await _rig.Cache.FindAsync(RandomKid(), CancellationToken.None));

        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        Assert.Equal(3, _rig.Source.Fetches);
        Assert.Contains(_rig.CacheLog.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("keeping the 1 loaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_validations_on_a_cold_cache_share_one_fetch()
    {
        _rig.Source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tickets = Enumerable.Range(0, 20).Select(i => (Session: $"s{i}", Ticket: _rig.Main.Ticket(_rig.Now, MainKey.Claims(sessionId: $"s{i}")))).ToList();

        var checks = tickets.Select(t => Task.Run(() => _rig.ValidateAsync(t.Ticket, t.Session))).ToList();
        await Task.Delay(200);
        Assert.DoesNotContain(checks, c => c.IsCompleted);
        _rig.Source.Gate.SetResult();

        Assert.All(await Task.WhenAll(checks), c => Assert.True(c.IsAccepted));
        Assert.Equal(1, _rig.Source.Fetches);
    }

    [Fact]
    public async Task Keys_older_than_the_refresh_interval_are_refetched_in_the_background_while_the_old_ones_serve()
    {
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        _rig.Time.Advance(_rig.Options.JwksRefreshInterval - TimeSpan.FromSeconds(1));
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        Assert.Equal(1, _rig.Source.Fetches);

        _rig.Source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _rig.Time.Advance(TimeSpan.FromSeconds(1));

        // The refetch is held open, yet the ticket is accepted at once from the keys already loaded.
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        Assert.Equal(2, _rig.Source.Fetches);
        _rig.Source.Gate.SetResult();
    }

    [Fact]
    public async Task While_main_cannot_be_reached_at_all_tickets_are_refused_as_unknown_keys_and_fetches_stay_rate_limited()
    {
        _rig.Source.Fail = true;

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(TicketRefusal.UnknownKey, (await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).Refusal);
        }

        Assert.Equal(1, _rig.Source.Fetches);

        _rig.Source.Fail = false;
        _rig.Time.Advance(_rig.Options.UnknownKidRefreshInterval);
        Assert.True((await _rig.ValidateAsync(_rig.Main.Ticket(_rig.Now))).IsAccepted);
        Assert.Equal(2, _rig.Source.Fetches);
    }

    [Fact]
    public async Task Only_EC_P256_signing_keys_from_the_set_are_used()
    {
        using var encryption = new MainKey();
        using var otherAlg = new MainKey();
        var rsa = new { kty = "RSA", kid = "rsa-1", use = "sig", alg = "RS256", n = "AQAB", e = "AQAB" };
        var offCurve = new { kty = "EC", crv = "P-256", x = Base64UrlEncoder.Encode(new byte[32]), y = Base64UrlEncoder.Encode(new byte[32]), kid = "off-curve", use = "sig", alg = "ES256" };
        _rig.Source.Keys = MainKey.Set(_rig.Main.Jwk(), rsa, offCurve, encryption.Jwk(use: "enc"), otherAlg.Jwk(alg: "ES384"));

        Assert.NotNull(await _rig.Cache.FindAsync(_rig.Main.Kid, CancellationToken.None));
        foreach (var kid in new[] { "rsa-1", "off-curve", encryption.Kid, otherAlg.Kid })
        {
            Assert.Null(await _rig.Cache.FindAsync(kid, CancellationToken.None));
        }
    }

    /// <summary>chat's real invocation client for main (HttpClientFactory + the SDK's InvocationHandler), ending in <paramref name="handler"/>.</summary>
    private static DaprJwksSource SourceOver(RecordingHandler handler)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:3599",
            ["DAPR_API_TOKEN"] = "t0ken",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddDaprInvocationClient(DaprNames.Apps.Main).ConfigurePrimaryHttpMessageHandler(() => handler);
        return new DaprJwksSource(services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>());
    }

    [Fact]
    public async Task The_Dapr_source_GETs_main_jwks_through_service_invocation_with_the_api_token_and_reads_main_json()
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { keys = new[] { _rig.Main.Jwk() } });
        using var handler = new RecordingHandler(body);

        var set = await SourceOver(handler).FetchAsync(CancellationToken.None);

        Assert.Equal(HttpMethod.Get, handler.Method);
        Assert.Equal("http://127.0.0.1:3599/v1.0/invoke/main/method/.well-known/jwks.json", handler.Uri);
        Assert.Equal("t0ken", handler.ApiToken);
        Assert.Equal(_rig.Main.Kid, Assert.Single(set.Keys).Kid);
    }

    [Fact]
    public async Task The_Dapr_source_fails_on_an_error_reply_so_the_cache_keeps_its_keys()
    {
        using var handler = new RecordingHandler("{\"errorCode\":\"ERR_DIRECT_INVOKE\",\"message\":\"fail\"}", HttpStatusCode.InternalServerError);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => SourceOver(handler).FetchAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
    }

    /// <summary>Records what reached the wire: InvocationHandler puts the request's original URI back after sending.</summary>
    private sealed class RecordingHandler(string body, HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
    {
        public HttpMethod? Method { get; private set; }

        public string? Uri { get; private set; }

        public string? ApiToken { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Method = request.Method;
            Uri = request.RequestUri?.AbsoluteUri;
            ApiToken = request.Headers.TryGetValues("dapr-api-token", out var values) ? string.Join(",", values) : null;
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
