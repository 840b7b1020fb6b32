using System.Collections.Concurrent;
using System.Text.Json;
using DaprChat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprChat.Bench;

/// <summary>The subscriber app: answers /dapr/subscribe and completes a waiter when event n arrives.</summary>
public sealed class DeliveryReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _waiting = new();

    private DeliveryReceiver(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<DeliveryReceiver> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new DeliveryReceiver(app, port);
        app.MapGet("/dapr/subscribe", () => Results.Text("""[{"pubsubname":"events","topic":"bench","route":"/bench"}]""", "application/json"));
        app.MapPost("/bench", async (HttpContext context) =>
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body);
            var n = doc.RootElement.GetProperty("data").GetProperty("n").GetInt32();
            if (receiver._waiting.TryRemove(n, out var waiter))
            {
                waiter.TrySetResult();
            }

            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public Task Expect(int n) => _waiting.GetOrAdd(n, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
