using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DaprChat.Chat.Tests.Unit.Support;

/// <summary>Keeps every formatted log line (with its exception text) so tests can check what was and was not logged.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, formatter(state, exception) + " " + exception));
}
