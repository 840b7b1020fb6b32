using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace DaprChat.Summarize.Generation;

/// <summary>Gemini answered with an error status; <see cref="RetryAfter"/> is its Retry-After, if any.</summary>
public sealed class GeminiException(HttpStatusCode status, TimeSpan? retryAfter)
    : Exception($"Gemini answered {(int)status}")
{
    public HttpStatusCode Status { get; } = status;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// <see cref="IChatClient"/> over Gemini's <c>generateContent</c> REST call, on Vertex AI (bearer token of a service
/// account) or the Gemini API (API key). System messages become <c>systemInstruction</c>; a JSON-schema response
/// format becomes <c>responseMimeType</c> + <c>responseSchema</c>. The HttpClient comes from IHttpClientFactory with
/// the resilience handler (see <see cref="GenerationRegistration"/>).
/// </summary>
public sealed class GeminiChatClient(HttpClient http, IOptions<GeminiOptions> geminiOptions, IGeminiAuth auth) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var settings = geminiOptions.Value;
        var model = options?.ModelId ?? settings.Model;
        var all = messages.ToList();
        var body = new JsonObject
        {
            ["contents"] = new JsonArray([.. all.Where(m => m.Role != ChatRole.System).Select(m => (JsonNode)new JsonObject
            {
                ["role"] = m.Role == ChatRole.Assistant ? "model" : "user",
                ["parts"] = new JsonArray(new JsonObject { ["text"] = m.Text }),
            })]),
        };
        var system = string.Join("\n", all.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        if (system.Length > 0)
        {
            body["systemInstruction"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = system }) };
        }

        var generation = new JsonObject();
        if (options?.Temperature is { } temperature)
        {
            generation["temperature"] = temperature;
        }

        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            generation["responseMimeType"] = "application/json";
            if (json.Schema is { } schema)
            {
                generation["responseSchema"] = JsonNode.Parse(schema.GetRawText());
            }
        }

        body["generationConfig"] = generation;

        var path = settings.Mode == GeminiOptions.Api
            ? $"v1beta/models/{model}:generateContent"
            : $"v1/projects/{settings.Project}/locations/{settings.Location}/publishers/google/models/{model}:generateContent";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.BaseUri, path)) { Content = JsonContent.Create(body) };
        var (header, value) = await auth.GetHeaderAsync(cancellationToken);
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var retryAfter = response.Headers.RetryAfter is { } ra ? ra.Delta ?? (ra.Date - DateTimeOffset.UtcNow) : null;
            throw new GeminiException(response.StatusCode, retryAfter);
        }

        using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var root = answer.RootElement;
        var text = "";
        string? finish = null;
        if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array && candidates.GetArrayLength() > 0)
        {
            var first = candidates[0];
            finish = first.TryGetProperty("finishReason", out var f) ? f.GetString() : null;
            if (first.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
            {
                text = string.Concat(parts.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : null));
            }
        }

        return new ChatResponse(new AIChatMessage(ChatRole.Assistant, text))
        {
            ModelId = root.TryGetProperty("modelVersion", out var version) ? version.GetString() ?? model : model,
            FinishReason = finish is null or "STOP" ? ChatFinishReason.Stop : finish == "MAX_TOKENS" ? ChatFinishReason.Length : ChatFinishReason.ContentFilter,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("gemini", geminiOptions.Value.BaseUri, geminiOptions.Value.Model)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
