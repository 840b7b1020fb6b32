using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DaprChat.Dapr;

public static class CloudEventsApplicationBuilderExtensions
{
    /// <summary>
    /// For requests with <c>Content-Type: application/cloudevents+json</c>, replaces the body with the event's <c>data</c>
    /// (or decoded <c>data_base64</c>) and the content type with its <c>datacontenttype</c>, so handlers bind the payload
    /// record directly; the envelope stays available through <see cref="CloudEventHttpContextExtensions.GetCloudEvent"/>.
    /// </summary>
    public static IApplicationBuilder UseCloudEvents(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<CloudEventsMiddleware>();
    }
}

internal sealed class CloudEventsMiddleware(RequestDelegate next)
{
    public const string CloudEventsContentType = "application/cloudevents+json";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(CloudEventsContentType, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var original = context.Request.Body;
        var originalType = context.Request.ContentType;
        var originalLength = context.Request.ContentLength;
        using var buffer = new MemoryStream();
        await original.CopyToAsync(buffer, context.RequestAborted);
        var envelopeBytes = buffer.ToArray();

        if (!TryUnwrap(envelopeBytes, out var cloudEvent, out var payload, out var payloadType))
        {
            // Not an envelope we can read: hand the bytes on untouched and let the handler's binding fail (→ daprd retries).
            context.Request.Body = new MemoryStream(envelopeBytes);
            await next(context);
            return;
        }

        context.Features.Set<ICloudEventFeature>(new CloudEventFeature(cloudEvent));
        context.Request.Body = new MemoryStream(payload);
        context.Request.ContentLength = payload.Length;
        context.Request.ContentType = payloadType;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Body = original;
            context.Request.ContentType = originalType;
            context.Request.ContentLength = originalLength;
        }
    }

    internal static bool TryUnwrap(byte[] envelopeBytes, out CloudEvent cloudEvent, out byte[] payload, out string payloadType)
    {
        cloudEvent = null!;
        payload = [];
        payloadType = "";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(envelopeBytes);
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            cloudEvent = CloudEvent.FromEnvelope(root);
            if (root.TryGetProperty("data_base64", out var base64) && base64.ValueKind == JsonValueKind.String)
            {
                payload = base64.GetBytesFromBase64();
                payloadType = cloudEvent.DataContentType ?? "application/octet-stream";
                return true;
            }

            // CloudEvents: an absent datacontenttype means JSON.
            payloadType = cloudEvent.DataContentType ?? "application/json";
            if (root.TryGetProperty("data", out var data))
            {
                // A string under a non-JSON type (text/plain, what daprd makes of a body without Content-Type) is the text itself.
                payload = data.ValueKind == JsonValueKind.String && !IsJson(payloadType)
                    ? Encoding.UTF8.GetBytes(data.GetString() ?? "")
                    : Encoding.UTF8.GetBytes(data.GetRawText());
            }

            return true;
        }
    }

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
