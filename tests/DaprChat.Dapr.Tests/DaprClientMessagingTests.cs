using System.Net;
using System.Text;
using DaprChat.Dapr.Tests.Support;

namespace DaprChat.Dapr.Tests;

/// <summary>Publish, service invocation and actor calls from the client side.</summary>
public sealed class DaprClientMessagingTests
{
    private sealed record SessionEnded(string SessionId);

    private sealed record JoinResult(int Seq);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_posts_json_with_exactly_application_json_and_metadata_as_escaped_query_parameters()
    {
        var sidecar = new FakeSidecar();

        await sidecar.CreateClient().PublishEventAsync("events", "chat.session-ended", new SessionEnded("s 1"),
            new Dictionary<string, string> { ["ttlInSeconds"] = "60", ["cloudevent.id"] = "a b" }, Ct);

        var request = sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/publish/events/chat.session-ended?metadata.ttlInSeconds=60&metadata.cloudevent.id=a%20b", request.PathAndQuery);
        // No charset: daprd copies the content type into the CloudEvent's datacontenttype as sent.
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal("""{"sessionId":"s 1"}""", request.Body);
    }

    [Fact]
    public async Task A_raw_publish_adds_metadata_rawPayload_true()
    {
        var sidecar = new FakeSidecar();

        await sidecar.CreateClient().PublishRawEventAsync("fanout", "chat.message", new SessionEnded("s"), cancellationToken: Ct);

        Assert.Equal("/v1.0/publish/fanout/chat.message?metadata.rawPayload=true", sidecar.Single().PathAndQuery);
    }

    [Fact]
    public async Task A_byte_publish_keeps_its_own_content_type_and_bytes()
    {
        var sidecar = new FakeSidecar();

        await sidecar.CreateClient().PublishByteEventAsync("events", "blob", Encoding.UTF8.GetBytes("raw!"), "application/octet-stream", cancellationToken: Ct);

        var request = sidecar.Single();
        Assert.Equal("application/octet-stream", request.Header("Content-Type"));
        Assert.Equal("raw!", request.Body);
    }

    [Fact]
    public async Task An_invocation_request_escapes_path_segments_and_passes_the_query_string_through()
    {
        var sidecar = new FakeSidecar { Responder = _ => FakeSidecar.Json(HttpStatusCode.OK, """{"seq":3}""") };
        var client = sidecar.CreateClient("tok");

        using var request = client.CreateInvokeMethodRequest(HttpMethod.Post, "summarize", "/summaries/abc def?include=history&x=1", new { a = 1 });
        var result = await client.InvokeMethodAsync<JoinResult>(request, Ct);

        var recorded = sidecar.Single();
        Assert.Equal("/v1.0/invoke/summarize/method/summaries/abc%20def?include=history&x=1", recorded.PathAndQuery);
        Assert.Equal("tok", recorded.Header("dapr-api-token"));
        Assert.Equal("""{"a":1}""", recorded.Body);
        Assert.Equal(new JoinResult(3), result);
    }

    [Fact]
    public async Task An_invocation_that_the_target_answers_with_404_throws_while_the_raw_variant_hands_the_reply_back()
    {
        var sidecar = new FakeSidecar { Responder = _ => FakeSidecar.Json(HttpStatusCode.NotFound, """{"title":"no such summary"}""") };
        var client = sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() => client.InvokeMethodAsync<JoinResult>(HttpMethod.Get, "summarize", "summaries/x", Ct));
        using var raw = await client.InvokeMethodWithResponseAsync(client.CreateInvokeMethodRequest(HttpMethod.Get, "summarize", "summaries/x"), Ct);

        Assert.Equal("HTTP_404", error.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("""{"title":"no such summary"}""", error.ResponseBody);
        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
    }

    [Fact]
    public async Task An_actor_call_puts_json_to_the_actor_method_url_and_reads_the_reply()
    {
        var sidecar = new FakeSidecar { Responder = _ => FakeSidecar.Json(HttpStatusCode.OK, """{"seq":1}""") };

        var result = await sidecar.CreateClient().InvokeActorMethodAsync<SessionEnded, JoinResult>("ChatSession", "s/1", "join", new SessionEnded("s/1"), Ct);

        var request = sidecar.Single();
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/v1.0/actors/ChatSession/s%2F1/method/join", request.PathAndQuery);
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal(new JoinResult(1), result);
        Assert.Null(request.Header("Dapr-Reentrancy-Id"));
    }

    [Fact]
    public async Task An_actor_method_failure_reported_by_daprd_surfaces_as_ERR_ACTOR_INVOKE_METHOD()
    {
        var sidecar = new FakeSidecar
        {
            Responder = _ => FakeSidecar.Json(HttpStatusCode.InternalServerError,
                """{"errorCode":"ERR_ACTOR_INVOKE_METHOD","message":"error invoke actor method: error from actor service: (500) {\"title\":\"Actor method failed\"}"}"""),
        };

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            sidecar.CreateClient().InvokeActorMethodAsync("ChatSession", "s1", "end", Ct));

        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.StartsWith("error invoke actor method: error from actor service: (500)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reminders_and_timers_are_registered_with_go_durations_and_raw_json_data()
    {
        var sidecar = new FakeSidecar();
        var client = sidecar.CreateClient();

        await client.RegisterActorReminderAsync("SummaryJob", "j1", "retry", TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1),
            """{"attempt":1}"""u8.ToArray(), TimeSpan.FromHours(1), Ct);
        await client.RegisterActorTimerAsync("ChatSession", "s1", "presence", "sweep", TimeSpan.Zero, TimeSpan.FromMilliseconds(1500), cancellationToken: Ct);
        await client.UnregisterActorReminderAsync("SummaryJob", "j1", "retry", Ct);

        var requests = sidecar.Requests;
        Assert.Equal(("PUT", "/v1.0/actors/SummaryJob/j1/reminders/retry"), (requests[0].Method, requests[0].PathAndQuery));
        Assert.Equal("""{"dueTime":"5s","period":"1m0s","ttl":"1h0m0s","data":{"attempt":1}}""", requests[0].Body);
        Assert.Equal(("PUT", "/v1.0/actors/ChatSession/s1/timers/presence"), (requests[1].Method, requests[1].PathAndQuery));
        Assert.Equal("""{"dueTime":"0s","period":"1.5s","callback":"sweep"}""", requests[1].Body);
        Assert.Equal(("DELETE", "/v1.0/actors/SummaryJob/j1/reminders/retry"), (requests[2].Method, requests[2].PathAndQuery));
    }

    [Fact]
    public async Task A_scheduler_mode_reminder_is_read_back_with_its_every_period_and_a_missing_one_is_null()
    {
        var found = true;
        var sidecar = new FakeSidecar
        {
            Responder = _ => FakeSidecar.Json(HttpStatusCode.OK, found
                ? """{"period":"@every 1m0s","data":{"attempt":1},"actorID":"j1","actorType":"SummaryJob","dueTime":"5s"}"""
                : "{}"),
        };
        var client = sidecar.CreateClient();

        var reminder = await client.GetActorReminderAsync("SummaryJob", "j1", "retry", Ct);
        found = false;
        var missing = await client.GetActorReminderAsync("SummaryJob", "j1", "other", Ct);

        Assert.NotNull(reminder);
        Assert.Equal(TimeSpan.FromMinutes(1), GoDuration.Parse(reminder.Period));
        Assert.Equal("""{"attempt":1}""", Encoding.UTF8.GetString(reminder.Data.Span));
        Assert.Null(missing);
    }

    [Fact]
    public async Task Secrets_come_back_as_string_maps_and_bulk_secrets_as_a_map_per_secret()
    {
        var sidecar = new FakeSidecar
        {
            Responder = r => r.PathAndQuery.EndsWith("/bulk", StringComparison.Ordinal)
                ? FakeSidecar.Json(HttpStatusCode.OK, """{"fcm":{"fcm":"{...}"},"pepper":{"pepper":"p"}}""")
                : FakeSidecar.Json(HttpStatusCode.OK, """{"signing-key":"-----BEGIN"}"""),
        };
        var client = sidecar.CreateClient();

        var secret = await client.GetSecretAsync("secrets", "signing-key", cancellationToken: Ct);
        var bulk = await client.GetBulkSecretAsync("secrets", cancellationToken: Ct);

        Assert.Equal("/v1.0/secrets/secrets/signing-key", sidecar.Requests[0].PathAndQuery);
        Assert.Equal("-----BEGIN", secret["signing-key"]);
        Assert.Equal("p", bulk["pepper"]["pepper"]);
    }

    [Fact]
    public async Task Waiting_for_the_sidecar_polls_outbound_health_until_daprd_answers_204()
    {
        var calls = 0;
        var sidecar = new FakeSidecar
        {
            Responder = _ => Interlocked.Increment(ref calls) switch
            {
                1 => throw new HttpRequestException("refused"),
                2 => FakeSidecar.Json(HttpStatusCode.InternalServerError, """{"errorCode":"ERR_OUTBOUND_HEALTH_NOT_READY","message":"dapr outbound is not ready"}"""),
                _ => new HttpResponseMessage(HttpStatusCode.NoContent),
            },
        };
        var client = new DaprClient(new HttpClient(sidecar), new DaprClientOptions { SidecarPollInterval = TimeSpan.FromMilliseconds(5) });

        await client.WaitForSidecarAsync(Ct);

        Assert.Equal(3, sidecar.Requests.Count);
        Assert.All(sidecar.Requests, r => Assert.Equal("/v1.0/healthz/outbound", r.PathAndQuery));
    }
}
