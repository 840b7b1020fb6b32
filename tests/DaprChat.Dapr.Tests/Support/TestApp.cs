using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DaprChat.Dapr.Tests.Support;

/// <summary>An app under test on TestServer: the test plays daprd calling it.</summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>
    /// Starts on TestServer, or with <paramref name="kestrel"/> on real Kestrel at a loopback port: needed where the wire
    /// matters (raw headers) or where Kestrel's own behaviour is the point (an unhandled exception becoming a 500).
    /// </summary>
    public static async Task<TestApp> StartAsync(Action<WebApplicationBuilder> configureBuilder, Action<WebApplication> configureApp,
        IDictionary<string, string?>? configuration = null, bool kestrel = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (kestrel)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Logging.ClearProviders();
        // Explicit, so a token in the machine's environment cannot change what a test sees.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["APP_API_TOKEN"] = "" });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        configureBuilder(builder);
        var app = builder.Build();
        configureApp(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var client = kestrel ? new HttpClient { BaseAddress = new Uri(app.Urls.First()) } : app.GetTestClient();
        return new TestApp(app, client);
    }

    /// <summary>A request as daprd sends it: JSON (or the given content type), optional extra headers.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null,
        string contentType = "application/json", params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
