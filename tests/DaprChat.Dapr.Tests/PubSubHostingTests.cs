using System.Net;
using DaprChat.Dapr.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DaprChat.Dapr.Tests;

public sealed class PubSubHostingTests
{
    private sealed record SessionEnded(string SessionId, DateTimeOffset EndedAt);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<TestApp> StartAsync(Action<WebApplication> map, bool kestrel = false) =>
        TestApp.StartAsync(_ => { }, app =>
        {
            app.UseCloudEvents();
            app.MapSubscribeHandler();
            map(app);
        }, kestrel: kestrel);

    [Fact]
    public async Task Dapr_subscribe_lists_exactly_the_endpoints_declared_with_WithTopic()
    {
        await using var app = await StartAsync(app =>
        {
            app.MapPost("/events/session-ended", () => TopicResults.Success())
                .WithTopic("events", "chat.session-ended", deadLetterTopic: "chat.session-ended.dead",
                    metadata: new Dictionary<string, string> { ["rawPayload"] = "false" });
            app.MapGroup("/fanout").MapPost("/message", () => Results.Ok()).WithTopic("fanout", "chat.message");
            app.MapPost("/not-a-subscriber", () => Results.Ok());
            app.MapPost("/events/{id}", (string id) => Results.Ok()).WithTopic("events", "has.parameters");
        });

        using var response = await app.Client.GetAsync("/dapr/subscribe", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """[{"pubsubname":"events","topic":"chat.session-ended","route":"/events/session-ended","routes":{"default":"/events/session-ended"},"deadLetterTopic":"chat.session-ended.dead","metadata":{"rawPayload":"false"}},"""
            + """{"pubsubname":"fanout","topic":"chat.message","route":"/fanout/message","routes":{"default":"/fanout/message"}}]""",
            await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_cloud_event_is_unwrapped_so_the_handler_binds_the_payload_record_and_still_sees_the_envelope()
    {
        await using var app = await StartAsync(app =>
            app.MapPost("/events/session-ended", (SessionEnded payload, HttpContext context) =>
            {
                var ce = context.GetCloudEvent()!;
                return Results.Json(new { payload.SessionId, ce.Id, ce.Topic, ce.PubSubName, ce.Source, ce.Time, ce.TraceParent, Type = context.Request.ContentType });
            }).WithTopic("events", "chat.session-ended"));

        const string envelope = """
            {"id":"e-1","source":"chat","type":"com.dapr.event.sent","specversion":"1.0","datacontenttype":"application/json",
             "topic":"chat.session-ended","pubsubname":"events","time":"2025-01-01T12:00:00+01:00",
             "traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
             "data":{"sessionId":"s-1","endedAt":"2025-01-01T11:00:00Z"}}
            """;
        using var response = await app.SendAsync(HttpMethod.Post, "/events/session-ended", envelope, "application/cloudevents+json", ("pubsubname", "events"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """{"sessionId":"s-1","id":"e-1","topic":"chat.session-ended","pubSubName":"events","source":"chat","time":"2025-01-01T12:00:00+01:00","traceParent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","type":"application/json"}""",
            await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Data_base64_is_decoded_to_the_original_bytes_under_its_content_type()
    {
        await using var app = await StartAsync(app =>
            app.MapPost("/raw", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                return Results.Text($"{context.Request.ContentType}|{await reader.ReadToEndAsync()}");
            }).WithTopic("events", "raw", enableRawPayload: true));

        // What daprd delivers to a rawPayload subscription: the broker bytes as data_base64.
        const string envelope = """{"id":"1","specversion":"1.0","source":"Dapr","type":"com.dapr.event.sent","datacontenttype":"application/octet-stream","topic":"raw","pubsubname":"events","data_base64":"aGVsbG8gYnl0ZXM="}""";
        using var response = await app.SendAsync(HttpMethod.Post, "/raw", envelope, "application/cloudevents+json");

        Assert.Equal("application/octet-stream|hello bytes", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task String_data_under_text_plain_arrives_as_the_text_itself_not_a_json_string()
    {
        await using var app = await StartAsync(app =>
            app.MapPost("/text", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                return Results.Text(await reader.ReadToEndAsync());
            }).WithTopic("events", "text"));

        const string envelope = """{"id":"1","specversion":"1.0","source":"curl","type":"com.dapr.event.sent","datacontenttype":"text/plain","data":"hello \"world\""}""";
        using var response = await app.SendAsync(HttpMethod.Post, "/text", envelope, "application/cloudevents+json");

        Assert.Equal("hello \"world\"", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("success", """{"status":"SUCCESS"}""")]
    [InlineData("retry", """{"status":"RETRY"}""")]
    [InlineData("drop", """{"status":"DROP"}""")]
    public async Task Topic_results_answer_200_with_the_status_daprd_reads(string outcome, string expected)
    {
        await using var app = await StartAsync(app =>
            app.MapPost("/events/outcome", (SessionEnded _) => outcome switch
            {
                "retry" => TopicResults.Retry(),
                "drop" => TopicResults.Drop(),
                _ => TopicResults.Success(),
            }).WithTopic("events", "outcome"));

        using var response = await app.SendAsync(HttpMethod.Post, "/events/outcome",
            """{"id":"1","specversion":"1.0","source":"s","type":"t","data":{"sessionId":"s","endedAt":"2025-01-01T00:00:00Z"}}""",
            "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_unhandled_exception_in_a_topic_handler_answers_500_which_daprd_treats_as_RETRY()
    {
        await using var app = await StartAsync(app =>
            app.MapPost("/events/boom", IResult (SessionEnded _) => throw new InvalidOperationException("store down"))
                .WithTopic("events", "boom"), kestrel: true);

        using var response = await app.SendAsync(HttpMethod.Post, "/events/boom",
            """{"id":"1","specversion":"1.0","source":"s","type":"t","data":{"sessionId":"s","endedAt":"2025-01-01T00:00:00Z"}}""",
            "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }
}
