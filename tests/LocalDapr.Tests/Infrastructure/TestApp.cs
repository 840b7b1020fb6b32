using System.Collections.Concurrent;
using System.Net;
using DaprChat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LocalDapr.Tests.Infrastructure;

/// <summary>A request as the app received it from its sidecar.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real HTTP app on a free loopback port standing in for a DaprChat service: tests give it a handler per
/// "METHOD /path" (or a path prefix ending in *), and it records every request the sidecar sends.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, ReceivedRequest, Task>> _handlers = new(StringComparer.Ordinal);

    private TestApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public static async Task<TestApp> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var web = builder.Build();
        var app = new TestApp(web, port);
        web.Run(app.HandleAsync);
        await web.StartAsync();
        return app;
    }

    /// <summary>Registers a handler for "GET /dapr/config" or "PUT /actors/*" (prefix).</summary>
    public TestApp On(string route, Func<HttpContext, ReceivedRequest, Task> handler)
    {
        _handlers[route] = handler;
        return this;
    }

    public TestApp OnJson(string route, string json, int status = 200) => On(route, async (context, _) =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    });

    public IEnumerable<ReceivedRequest> ReceivedOn(string method, string pathPrefix) =>
        Received.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var received = new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, buffer.ToArray());
        Received.Enqueue(received);
        var key = $"{received.Method} {received.Path}";
        if (_handlers.TryGetValue(key, out var exact))
        {
            await exact(context, received);
            return;
        }

        var prefix = _handlers
            .Where(h => h.Key.EndsWith('*') && key.StartsWith(h.Key[..^1], StringComparison.Ordinal))
            .OrderByDescending(h => h.Key.Length)
            .Select(h => h.Value)
            .FirstOrDefault();
        if (prefix is not null)
        {
            await prefix(context, received);
            return;
        }

        context.Response.StatusCode = (int)HttpStatusCode.NotFound;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
