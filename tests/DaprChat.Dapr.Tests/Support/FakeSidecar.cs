using System.Net;
using System.Text;

namespace DaprChat.Dapr.Tests.Support;

/// <summary>One request as the sidecar received it.</summary>
public sealed record RecordedRequest(string Method, string Origin, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A recording stand-in for daprd: answers with <see cref="Responder"/> (204 by default) and keeps every request.</summary>
public sealed class FakeSidecar : HttpMessageHandler
{
    public const string Endpoint = "http://127.0.0.1:3500";
    private readonly List<RecordedRequest> _requests = [];

    public Func<RecordedRequest, HttpResponseMessage> Responder { get; set; } = _ => new HttpResponseMessage(HttpStatusCode.NoContent);

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public RecordedRequest Single() => Assert.Single(Requests);

    public DaprClient CreateClient(string? apiToken = null) =>
        new(new HttpClient(this, disposeHandler: false), new DaprClientOptions { HttpEndpoint = new Uri(Endpoint), ApiToken = apiToken });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers.NonValidated)
        {
            headers[header.Key] = header.Value.ToString();
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers.NonValidated)
            {
                headers[header.Key] = header.Value.ToString();
            }
        }

        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var uri = request.RequestUri!;
        var recorded = new RecordedRequest(request.Method.Method, uri.GetLeftPart(UriPartial.Authority), uri.PathAndQuery, headers, body);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        var response = Responder(recorded);
        response.RequestMessage = request;
        return response;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage Text(HttpStatusCode status, string text) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };
}
