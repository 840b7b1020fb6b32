using System.Net.Http.Headers;
using System.Net.Http.Json;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace DaprChat.Notify.Push;

/// <summary>
/// FCM HTTP v1 <c>messages:send</c> through the resilient <c>fcm</c> HttpClient (retries honouring Retry-After, circuit
/// breaker, timeouts). A 401 refreshes the credential and tries once more.
/// </summary>
public sealed partial class FcmPushSender(IHttpClientFactory clients, FcmCredential credential, IOptions<PushOptions> options, TimeProvider time,
    ILogger<FcmPushSender> logger) : IPushSender
{
    public const string ClientName = "fcm";

    public async Task<PushOutcome> SendAsync(PushDevice device, PushContent content, string recipientKind, CancellationToken cancellationToken)
    {
        var body = FcmPayload.For(device.Token, content, time.GetUtcNow());
        var token = await credential.AccessTokenAsync(cancellationToken);
        var outcome = await PostAsync(body, token, cancellationToken);
        if (outcome == PushOutcome.Unauthorized)
        {
            outcome = await PostAsync(body, await credential.RefreshAsync(cancellationToken), cancellationToken);
        }

        LogPushed(recipientKind, content.SessionId, device.Platform, outcome);
        return outcome;
    }

    private async Task<PushOutcome> PostAsync(FcmSendRequest body, string accessToken, CancellationToken cancellationToken)
    {
        var url = new Uri(options.Value.FcmBaseUrl, $"v1/projects/{Uri.EscapeDataString(credential.ProjectId)}/messages:send");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        try
        {
            using var http = clients.CreateClient(ClientName);
            using var response = await http.SendAsync(request, cancellationToken);
            var text = response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync(cancellationToken);
            return FcmErrors.Classify((int)response.StatusCode, text);
        }
        catch (Exception ex) when (ex is BrokenCircuitException or TimeoutRejectedException or HttpRequestException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnavailable(ex.GetType().Name);
            return PushOutcome.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push to {RecipientKind} in session {SessionId} ({Platform}): {Outcome}")]
    private partial void LogPushed(string recipientKind, string sessionId, string platform, PushOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FCM unavailable: {Reason}")]
    private partial void LogUnavailable(string reason);
}
