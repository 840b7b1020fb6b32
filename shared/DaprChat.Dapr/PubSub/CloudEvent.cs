using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DaprChat.Dapr;

/// <summary>The CloudEvent envelope daprd delivered, without its data (the handler binds that directly).</summary>
public sealed record CloudEvent
{
    public string Id { get; init; } = "";
    public string Source { get; init; } = "";
    public string Type { get; init; } = "";
    public string SpecVersion { get; init; } = "";
    public string? DataContentType { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? Time { get; init; }

    /// <summary>Dapr extension: the topic the event was published to.</summary>
    public string? Topic { get; init; }

    /// <summary>Dapr extension: the pub/sub component name.</summary>
    public string? PubSubName { get; init; }

    public string? TraceParent { get; init; }
    public string? TraceState { get; init; }
    public string? TraceId { get; init; }

    /// <summary>Set by daprd when the message had a TTL and the broker has none of its own.</summary>
    public DateTimeOffset? Expiration { get; init; }

    /// <summary>Every other attribute, as sent.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = new Dictionary<string, JsonElement>();

    internal static CloudEvent FromEnvelope(JsonElement envelope)
    {
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        string? Text(string name) =>
            envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        DateTimeOffset? Time(string name) =>
            DateTimeOffset.TryParse(Text(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

        foreach (var property in envelope.EnumerateObject())
        {
            if (!KnownAttributes.Contains(property.Name))
            {
                extensions[property.Name] = property.Value.Clone();
            }
        }

        return new CloudEvent
        {
            Id = Text("id") ?? "",
            Source = Text("source") ?? "",
            Type = Text("type") ?? "",
            SpecVersion = Text("specversion") ?? "",
            DataContentType = Text("datacontenttype"),
            Subject = Text("subject"),
            Time = Time("time"),
            Topic = Text("topic"),
            PubSubName = Text("pubsubname"),
            TraceParent = Text("traceparent"),
            TraceState = Text("tracestate"),
            TraceId = Text("traceid"),
            Expiration = Time("expiration"),
            Extensions = extensions,
        };
    }

    private static readonly HashSet<string> KnownAttributes = new(StringComparer.Ordinal)
    {
        "id", "source", "type", "specversion", "datacontenttype", "subject", "time", "topic", "pubsubname",
        "traceparent", "tracestate", "traceid", "expiration", "data", "data_base64",
    };
}

/// <summary>Request feature set by <see cref="CloudEventsApplicationBuilderExtensions.UseCloudEvents"/>.</summary>
public interface ICloudEventFeature
{
    CloudEvent CloudEvent { get; }
}

internal sealed record CloudEventFeature(CloudEvent CloudEvent) : ICloudEventFeature;

public static class CloudEventHttpContextExtensions
{
    /// <summary>The envelope of the CloudEvent this request carried, or null when it carried none.</summary>
    public static CloudEvent? GetCloudEvent(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<ICloudEventFeature>()?.CloudEvent;
    }
}
