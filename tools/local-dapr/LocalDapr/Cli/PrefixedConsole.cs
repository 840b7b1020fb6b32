namespace LocalDapr.Cli;

/// <summary>dapr CLI-style output: "== APP - main == …" and "== DAPR - main == …", coloured per app on a terminal.</summary>
public sealed class PrefixedConsole
{
    private static readonly string[] Colors = ["\u001b[36m", "\u001b[35m", "\u001b[33m", "\u001b[32m", "\u001b[34m", "\u001b[91m"];
    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);
    private readonly bool _useColor = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private readonly Lock _gate = new();

    public void Write(string source, string appId, string line)
    {
        lock (_gate)
        {
            if (!_colors.TryGetValue(appId, out var color))
            {
                _colors[appId] = color = Colors[_colors.Count % Colors.Length];
            }

            Console.WriteLine(_useColor ? $"{color}== {source} - {appId} ==\u001b[0m {line}" : $"== {source} - {appId} == {line}");
        }
    }

    public void Info(string line)
    {
        lock (_gate)
        {
            Console.WriteLine(line);
        }
    }
}

/// <summary>Routes the sidecars' logs through <see cref="PrefixedConsole"/>, tagged with their app id.</summary>
public sealed class PrefixedLoggerProvider(PrefixedConsole console, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName)
    {
        // Categories look like "daprd.main", "actors.chat", "pubsub.events".
        var dot = categoryName.IndexOf('.', StringComparison.Ordinal);
        var appId = dot > 0 ? categoryName[(dot + 1)..] : categoryName;
        return new PrefixedLogger(console, appId, minimum);
    }

    public void Dispose()
    {
    }

    private sealed class PrefixedLogger(PrefixedConsole console, string appId, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Warning => "warn",
                LogLevel.Error or LogLevel.Critical => "error",
                LogLevel.Debug or LogLevel.Trace => "debug",
                _ => "info",
            };
            var message = formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            console.Write("DAPR", appId, $"level={level} msg=\"{message}\"");
        }
    }
}
