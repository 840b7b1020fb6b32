extern alias notify;
using DaprChat.Contracts;
using DaprChat.Notify.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using notify::DaprChat.Notify;
using notify::DaprChat.Notify.Push;
using Xunit;

namespace DaprChat.Notify.Tests.Unit;

/// <summary>The real FCM sender, its resilient HttpClient and Google.Apis.Auth against the fake FCM and token endpoint.</summary>
public sealed class FcmSenderTests : IAsyncLifetime
{
    private readonly FakeFcm _fcm = new();
    private ServiceProvider _services = null!;
    private FcmPushSender _sender = null!;

    private static readonly PushContent Content = new(PushScreens.Chat, "0123456789abcdef0123456789abcdef", "DaprChat", "You have a new message", TimeSpan.FromHours(1));

    public async ValueTask InitializeAsync()
    {
        await _fcm.StartAsync();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        NotifyRegistration.AddFcmClient(services);
        _services = services.BuildServiceProvider();
        _sender = new FcmPushSender(_services.GetRequiredService<IHttpClientFactory>(), FcmCredential.FromJson(_fcm.ServiceAccountJson()),
            Options.Create(new PushOptions { FcmBaseUrl = _fcm.BaseUrl }), TimeProvider.System, NullLogger<FcmPushSender>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    private Task<PushOutcome> SendAsync(string token) => _sender.SendAsync(new PushDevice("d1", token, "android"), Content, RecipientKinds.Student, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_push_reaches_FCM_with_a_bearer_token_from_the_service_account()
    {
        Assert.Equal(PushOutcome.Sent, await SendAsync("good-token"));
        var push = Assert.Single(_fcm.To("good-token"));
        Assert.Equal("You have a new message", push.Message["notification"]!["body"]!.GetValue<string>());
        Assert.Empty(_fcm.Violations);
    }

    [Fact]
    public async Task Unregistered_and_invalid_tokens_are_reported_dead_and_a_bad_payload_is_not()
    {
        _fcm.Script("gone", FakeFcm.Answer.Unregistered);
        _fcm.Script("garbled", FakeFcm.Answer.InvalidToken);
        _fcm.Script("payload", FakeFcm.Answer.InvalidPayload);
        Assert.Equal(PushOutcome.TokenDead, await SendAsync("gone"));
        Assert.Equal(PushOutcome.TokenDead, await SendAsync("garbled"));
        Assert.Equal(PushOutcome.Rejected, await SendAsync("payload"));
        Assert.Empty(_fcm.Violations);
    }

    [Fact]
    public async Task A_429_is_retried_no_sooner_than_its_Retry_After()
    {
        _fcm.RetryAfter = TimeSpan.FromSeconds(2);
        _fcm.Script("busy", FakeFcm.Answer.TooManyRequests);
        Assert.Equal(PushOutcome.Sent, await SendAsync("busy"));
        var attempts = _fcm.Attempts.Where(a => a.Token == "busy").ToList();
        Assert.Equal(2, attempts.Count);
        // A lower bound only: the retry must wait at least what FCM asked, however slow the machine.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(1.9), $"retried after {attempts[1].At - attempts[0].At}");
    }

    [Fact]
    public async Task Server_errors_500_and_503_are_retried_until_FCM_answers()
    {
        _fcm.Script("flaky", FakeFcm.Answer.ServerError, FakeFcm.Answer.Unavailable);
        Assert.Equal(PushOutcome.Sent, await SendAsync("flaky"));
        Assert.Equal(3, _fcm.Attempts.Count(a => a.Token == "flaky"));
    }

    [Fact]
    public async Task A_401_refreshes_the_credential_and_tries_again()
    {
        Assert.Equal(PushOutcome.Sent, await SendAsync("warm-up"));
        var issued = _fcm.TokensIssued;
        _fcm.Script("stale", FakeFcm.Answer.Unauthorized);
        Assert.Equal(PushOutcome.Sent, await SendAsync("stale"));
        Assert.Equal(issued + 1, _fcm.TokensIssued);
    }

    [Fact]
    public async Task An_outage_is_reported_unavailable_after_the_retries()
    {
        _fcm.Default = FakeFcm.Answer.Unavailable;
        Assert.Equal(PushOutcome.Unavailable, await SendAsync("down"));
        Assert.Equal(4, _fcm.Attempts.Count(a => a.Token == "down"));
    }
}
