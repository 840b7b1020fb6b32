using System.Net;
using System.Text;
using DaprChat.Dapr;

namespace DaprChat.Main.Tests.Infrastructure;

/// <summary>Answers the secrets API as daprd does (a missing secret is 500 ERR_SECRET_GET), for unit tests of key handling.</summary>
public sealed class FakeSecretsSidecar : HttpMessageHandler
{
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public DaprClient Client() => new(new HttpClient(this), new DaprClientOptions { HttpEndpoint = new Uri("http://127.0.0.1:1") });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        const string prefix = "/v1.0/secrets/secrets/";
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotImplemented));
        }

        var name = Uri.UnescapeDataString(path[prefix.Length..]);
        var response = Secrets.TryGetValue(name, out var value)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [name] = value }), Encoding.UTF8, "application/json") }
            : new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                Content = new StringContent($$"""{"errorCode":"ERR_SECRET_GET","message":"failed getting secret with key {{name}} from secret store secrets: secret {{name}} not found"}""", Encoding.UTF8, "application/json"),
            };
        return Task.FromResult(response);
    }
}
