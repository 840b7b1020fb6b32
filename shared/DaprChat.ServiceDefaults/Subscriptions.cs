using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DaprChat.ServiceDefaults;

/// <summary>
/// A topic handler's answer as daprd reads it (<c>{"status":"SUCCESS"|"RETRY"|"DROP"}</c>); the SDK has no type for it.
/// daprd also retries on any non-2xx answer other than 404, and drops on 404 without dead-lettering, so a handler
/// that cannot use an event returns <see cref="Drop"/> (dead-lettered) rather than NotFound.
/// </summary>
public sealed record TopicResponse(string Status)
{
    public static readonly TopicResponse Success = new("SUCCESS");
    public static readonly TopicResponse Retry = new("RETRY");
    public static readonly TopicResponse Drop = new("DROP");
}

public static partial class Subscriptions
{
    /// <summary>The CloudEvent attributes the middleware copies into <c>Cloudevent.*</c> headers: ids and routing, never data.</summary>
    internal static readonly string[] ForwardedAttributes = ["id", "topic", "pubsubname", "source", "type"];

    /// <summary>
    /// A programmatic subscription (the SDK's <c>WithTopic</c>) whose undeliverable events go to the app's own
    /// dead-letter topic on the same pub/sub, on a route only the sidecar may call.
    /// </summary>
    public static TBuilder WithDaprTopic<TBuilder>(this TBuilder builder, string pubsubName, string topic, string deadLetterTopic)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithTopic(new TopicOptions { PubsubName = pubsubName, Name = topic, DeadLetterTopic = deadLetterTopic }).RequireDaprSidecar();

    /// <summary>
    /// Subscribes the app's dead-letter topic on each pub/sub it uses and logs every event that lands there by id and
    /// original topic (never its data), so a dropped or exhausted event is visible instead of silently gone.
    /// </summary>
    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder endpoints, string deadLetterTopic, params string[] pubsubNames)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var pubsub in pubsubNames)
        {
            endpoints.MapPost($"/dapr/dead-letters/{pubsub}", (HttpContext context, ILoggerFactory loggers) =>
            {
                var headers = context.Request.Headers;
                LogDeadLetter(loggers.CreateLogger("DaprChat.DeadLetters"), headers["Cloudevent.id"].ToString(), headers["Cloudevent.topic"].ToString(), pubsub, deadLetterTopic);
                return TypedResults.Ok(TopicResponse.Success);
            }).WithTopic(pubsub, deadLetterTopic).RequireDaprSidecar().ExcludeFromDescription();
        }

        return endpoints;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead letter: event {EventId} of topic {Topic} on {PubSub} could not be delivered and was moved to {DeadLetterTopic}")]
    private static partial void LogDeadLetter(ILogger logger, string eventId, string topic, string pubSub, string deadLetterTopic);
}
