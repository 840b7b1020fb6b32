using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprChat.Dapr;

/// <summary>Endpoint metadata: this endpoint handles <see cref="Name"/> on <see cref="PubSubName"/>.</summary>
public sealed record TopicMetadata(
    string PubSubName,
    string Name,
    string? DeadLetterTopic = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

public static class TopicEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Declares, on the endpoint that handles it, a programmatic subscription listed by
    /// <see cref="TopicEndpointRouteBuilderExtensions.MapSubscribeHandler"/>. The endpoint becomes sidecar-only
    /// (<see cref="DaprSidecarEndpointExtensions.RequireDaprSidecar{TBuilder}"/>).
    /// </summary>
    public static TBuilder WithTopic<TBuilder>(this TBuilder builder, string pubsubName, string topicName,
        string? deadLetterTopic = null, IReadOnlyDictionary<string, string>? metadata = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(pubsubName);
        ArgumentException.ThrowIfNullOrEmpty(topicName);
        var topic = new TopicMetadata(pubsubName, topicName, deadLetterTopic, metadata);
        builder.Add(endpoint => endpoint.Metadata.Add(topic));
        return builder.RequireDaprSidecar();
    }

    /// <summary>As the SDK's overload: <c>rawPayload=true</c> makes daprd deliver non-CloudEvent messages wrapped as <c>data_base64</c>.</summary>
    public static TBuilder WithTopic<TBuilder>(this TBuilder builder, string pubsubName, string topicName, bool enableRawPayload)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithTopic(pubsubName, topicName, metadata: enableRawPayload
            ? new Dictionary<string, string> { [PubSubMetadata.RawPayload] = "true" }
            : null);
}

public static class TopicEndpointRouteBuilderExtensions
{
    /// <summary>
    /// <c>GET /dapr/subscribe</c>, listing every endpoint declared with <c>WithTopic</c> as
    /// <c>{"pubsubname","topic","route","routes":{"default"},"deadLetterTopic"?,"metadata"?}</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSubscribeHandler(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet("/dapr/subscribe", (RequestDelegate)WriteSubscriptionsAsync).RequireDaprSidecar();
    }

    private static async Task WriteSubscriptionsAsync(HttpContext context)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TopicMetadata).FullName!);
        var subscriptions = Collect(context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints, logger);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartArray();
        foreach (var (topic, route) in subscriptions)
        {
            writer.WriteStartObject();
            // daprd's JSON tag is "pubsubname" (the SDK writes "pubsubName"; Go matches either case-insensitively).
            writer.WriteString("pubsubname", topic.PubSubName);
            writer.WriteString("topic", topic.Name);
            // "route" (v1) and "routes.default" (v2) name the same path, so any daprd version routes it identically.
            writer.WriteString("route", route);
            writer.WriteStartObject("routes");
            writer.WriteString("default", route);
            writer.WriteEndObject();
            if (!string.IsNullOrEmpty(topic.DeadLetterTopic))
            {
                writer.WriteString("deadLetterTopic", topic.DeadLetterTopic);
            }

            StateJson.WriteStringMap(writer, "metadata", topic.Metadata);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await writer.FlushAsync(context.RequestAborted);
    }

    internal static List<(TopicMetadata Topic, string Route)> Collect(IEnumerable<Endpoint> endpoints, ILogger logger)
    {
        var result = new List<(TopicMetadata Topic, string Route)>();
        var seen = new HashSet<(string, string)>();
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            foreach (var topic in endpoint.Metadata.GetOrderedMetadata<TopicMetadata>())
            {
                if (endpoint.RoutePattern.Parameters.Count > 0)
                {
                    logger.LogWarning("Topic {PubSub}/{Topic} is declared on route {Route}, which has parameters; daprd cannot call it, so it is not subscribed",
                        topic.PubSubName, topic.Name, endpoint.RoutePattern.RawText);
                    continue;
                }

                if (!seen.Add((topic.PubSubName, topic.Name)))
                {
                    logger.LogError("Topic {PubSub}/{Topic} is declared on more than one endpoint; daprd takes one route per topic, so {Route} is ignored",
                        topic.PubSubName, topic.Name, endpoint.RoutePattern.RawText);
                    continue;
                }

                result.Add((topic, RouteOf(endpoint.RoutePattern)));
            }
        }

        result.Sort((a, b) =>
        {
            var byPubSub = string.CompareOrdinal(a.Topic.PubSubName, b.Topic.PubSubName);
            return byPubSub != 0 ? byPubSub : string.CompareOrdinal(a.Topic.Name, b.Topic.Name);
        });
        return result;
    }

    private static string RouteOf(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.OfType<RoutePatternLiteralPart>().Select(p => p.Content))));
}

/// <summary>How a subscriber tells daprd what to do with a message.</summary>
public enum TopicResponseStatus
{
    /// <summary>Processed: acknowledge.</summary>
    Success,

    /// <summary>Try again later (resiliency policy, then dead-letter topic or broker redelivery).</summary>
    Retry,

    /// <summary>Never processable: warn and discard, or send to the dead-letter topic if one is set.</summary>
    Drop,
}

/// <summary>
/// Typed results for topic handlers: 200 with <c>{"status":"SUCCESS"|"RETRY"|"DROP"}</c>. A plain 2xx also means SUCCESS,
/// an unhandled exception (500) means RETRY, and a 404 makes daprd drop the message silently, with no dead letter.
/// </summary>
public static class TopicResults
{
    public static TopicResult Success() => TopicResult.SuccessResult;

    public static TopicResult Retry() => TopicResult.RetryResult;

    public static TopicResult Drop() => TopicResult.DropResult;
}

public sealed class TopicResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    internal static readonly TopicResult SuccessResult = new(TopicResponseStatus.Success);
    internal static readonly TopicResult RetryResult = new(TopicResponseStatus.Retry);
    internal static readonly TopicResult DropResult = new(TopicResponseStatus.Drop);

    private TopicResult(TopicResponseStatus status) => Status = status;

    public TopicResponseStatus Status { get; }

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        var wire = Status switch
        {
            TopicResponseStatus.Retry => "RETRY",
            TopicResponseStatus.Drop => "DROP",
            _ => "SUCCESS",
        };
        return httpContext.Response.WriteAsync("{\"status\":\"" + wire + "\"}");
    }
}
