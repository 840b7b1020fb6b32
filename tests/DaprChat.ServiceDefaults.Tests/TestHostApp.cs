using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DaprChat.ServiceDefaults.Tests;

/// <summary>An app on the service defaults, on TestServer: the test plays daprd (or a stranger) calling it.</summary>
public sealed class TestHostApp : IAsyncDisposable
{
    private TestHostApp(WebApplication app, LogSink logs)
    {
        App = app;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public LogSink Logs { get; }

    public static async Task<TestHostApp> StartAsync(string environment, string? appApiToken, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        // Explicit, so a token in the machine's environment cannot change what a test sees.
        builder.Configuration["APP_API_TOKEN"] = appApiToken ?? "";
        var logs = new LogSink();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.MapServiceDefaults();
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new TestHostApp(app, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>Every log line the app writes, formatted, to look for what must and must not be there.</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Lines.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
