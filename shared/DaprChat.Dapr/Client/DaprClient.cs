using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DaprChat.Dapr;

/// <summary>
/// daprd's HTTP API (state, pub/sub, invocation, actors, secrets, health), shaped like the official <c>Dapr.Client.DaprClient</c>.
/// Thread-safe; register it once with <see cref="DaprServiceCollectionExtensions.AddDaprClient"/>.
/// </summary>
public sealed partial class DaprClient
{
    /// <summary>The named <see cref="HttpClient"/> the DI registration uses; configure it to add handlers or a fake sidecar.</summary>
    public const string HttpClientName = "DaprChat.Dapr.DaprClient";

    /// <summary>Header for both directions: app→sidecar (<c>DAPR_API_TOKEN</c>) and sidecar→app (<c>APP_API_TOKEN</c>).</summary>
    public const string ApiTokenHeader = "dapr-api-token";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private readonly HttpClient _http;
    private readonly string _baseAddress;

    public DaprClient(HttpClient httpClient, DaprClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        Options = options;
        _baseAddress = options.HttpEndpoint.AbsoluteUri.TrimEnd('/');
    }

    public DaprClientOptions Options { get; }

    public JsonSerializerOptions JsonSerializerOptions => Options.JsonSerializerOptions;

    internal Uri BuildUri(string path, DaprQuery? query = null) =>
        new(_baseAddress + path + (query?.ToString() ?? ""), UriKind.Absolute);

    internal HttpRequestMessage NewRequest(HttpMethod method, string path, DaprQuery? query = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, BuildUri(path, query)) { Content = content };
        AddApiToken(request);
        return request;
    }

    private void AddApiToken(HttpRequestMessage request)
    {
        if (Options.ApiToken is { } token && !request.Headers.Contains(ApiTokenHeader))
        {
            request.Headers.TryAddWithoutValidation(ApiTokenHeader, token);
        }
    }

    /// <summary>Sends without judging the status; transport failures become <see cref="DaprApiException"/>.</summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        AddApiToken(request);
        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new DaprApiException(
                $"The Dapr sidecar at {_baseAddress} is unreachable: {ex.Message}",
                DaprApiException.SidecarUnreachable, null, null, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation the caller never asked for.
            throw new DaprApiException(
                $"The Dapr sidecar at {_baseAddress} did not answer {request.Method} {request.RequestUri?.AbsolutePath} in time",
                DaprApiException.SidecarTimeout, null, null, ex);
        }
    }

    /// <summary>Sends and throws <see cref="DaprApiException"/> on any non-2xx status.</summary>
    internal async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    internal async Task SendAndDisposeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        using (await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false))
        {
        }
    }

    /// <summary>Turns a failed reply into an exception: daprd's <c>{"errorCode","message"}</c> when present, else HTTP_&lt;status&gt;.</summary>
    public static async Task<DaprApiException> CreateExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? code = null;
        string? message = null;
        if (body.AsSpan().TrimStart().StartsWith("{"))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.TryGetProperty("errorCode", out var errorCode) && errorCode.ValueKind == JsonValueKind.String)
                {
                    code = errorCode.GetString();
                }

                if (document.RootElement.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    message = text.GetString();
                }
            }
            catch (JsonException)
            {
                // Not Dapr JSON after all: fall through to the HTTP_<status> code.
            }
        }

        var status = (int)response.StatusCode;
        code = string.IsNullOrEmpty(code) ? "HTTP_" + status.ToString(CultureInfo.InvariantCulture) : code;
        if (string.IsNullOrEmpty(message))
        {
            message = body.Trim() is { Length: > 0 } trimmed && trimmed.Length <= 1024
                ? trimmed
                : $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {status} {response.ReasonPhrase}";
        }

        return new DaprApiException(message, code, response.StatusCode, body);
    }

    internal ByteArrayContent JsonContent<T>(T value)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions));
        // Exactly application/json (no charset): daprd copies the content type into the CloudEvent as sent.
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    internal static ByteArrayContent RawJsonContent(ReadOnlySpan<byte> utf8Json)
    {
        var content = new ByteArrayContent(utf8Json.ToArray());
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    internal static ByteArrayContent JsonContent(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return RawJsonContent(buffer.WrittenSpan);
    }

    internal T? Deserialize<T>(byte[] body) =>
        body.Length == 0 ? default : JsonSerializer.Deserialize<T>(body, JsonSerializerOptions);

    /// <summary>For calls whose reply must carry a value (invocation, actor methods): an empty or null body is an error.</summary>
    internal async Task<T> ReadRequiredAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Deserialize<T>(body) ?? throw new DaprApiException(
            $"{response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} without a {typeof(T).Name} body",
            DaprApiException.InvalidResponse, response.StatusCode, Encoding.UTF8.GetString(body));
    }

    internal static string FirstHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() ?? "" : "";

    internal static bool IsNoContent(HttpResponseMessage response, byte[] body) =>
        response.StatusCode == HttpStatusCode.NoContent || body.Length == 0;
}
