using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DaprChat.ServiceDefaults.Tests;

public sealed class SubscriptionTests
{
    private const string Token = "app-secret";

    public sealed record Thing(string Name, int Count = 0);

    private static Task<TestHostApp> StartAsync() =>
        TestHostApp.StartAsync("Development", Token, app =>
        {
            app.MapPost("/events/thing", (Thing thing) => TypedResults.Ok(thing.Count < 0 ? TopicResponse.Drop : TopicResponse.Success))
                .WithDaprTopic("events", "thing", "app.dead-letter");
            app.MapDeadLetters("app.dead-letter", "events", "fanout");
        });

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(TestHostApp app, string path, string body, string contentType = "application/cloudevents+json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Add("dapr-api-token", Token);
        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Dapr_subscribe_lists_every_subscription_with_the_apps_dead_letter_topic_and_the_dead_letter_routes()
    {
        await using var app = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", Token);
        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var subscriptions = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsArray();

        var thing = subscriptions.Single(s => s!["topic"]!.GetValue<string>() == "thing")!;
        Assert.Equal("events", thing["pubsubName"]!.GetValue<string>());
        Assert.Equal("app.dead-letter", thing["deadLetterTopic"]!.GetValue<string>());
        Assert.Equal(["events", "fanout"], subscriptions.Where(s => s!["topic"]!.GetValue<string>() == "app.dead-letter")
            .Select(s => s!["pubsubName"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_handler_answers_in_daprds_status_shape_and_can_drop_an_event_for_the_dead_letter_topic()
    {
        await using var app = await StartAsync();

        var ok = await PostAsync(app, "/events/thing", """{"specversion":"1.0","id":"e1","source":"main","type":"t","datacontenttype":"application/json","data":{"name":"a","count":1}}""");
        var dropped = await PostAsync(app, "/events/thing", """{"specversion":"1.0","id":"e2","source":"main","type":"t","datacontenttype":"application/json","data":{"name":"a","count":-1}}""");

        Assert.Equal((HttpStatusCode.OK, """{"status":"SUCCESS"}"""), ok);
        Assert.Equal((HttpStatusCode.OK, """{"status":"DROP"}"""), dropped);
    }

    [Fact]
    public async Task An_event_missing_a_required_field_is_refused_400_naming_it_which_daprd_retries_then_dead_letters()
    {
        await using var app = await StartAsync();

        var (status, body) = await PostAsync(app, "/events/thing", """{"specversion":"1.0","id":"e3","source":"main","type":"t","datacontenttype":"application/json","data":{"count":1}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("name", JsonNode.Parse(body)!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("SubscriptionTests", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_lettered_event_is_logged_with_its_id_and_original_topic_and_never_its_data()
    {
        await using var app = await StartAsync();

        var (status, _) = await PostAsync(app, "/dapr/dead-letters/events",
            """{"specversion":"1.0","id":"lost-7","source":"chat","type":"t","topic":"notify.offline-message","pubsubname":"events","datacontenttype":"application/json","data":{"secret":"canary-words"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var line = Assert.Single(app.Logs.Lines, l => l.Category == "DaprChat.DeadLetters");
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("lost-7", line.Text, StringComparison.Ordinal);
        Assert.Contains("notify.offline-message", line.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Text.Contains("canary-words", StringComparison.Ordinal));
    }
}
