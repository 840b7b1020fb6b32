namespace LocalDapr.Cli;

public static class Logging
{
    public static ILoggerFactory CreateFactory(string level, string? scope = null) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level.ToLowerInvariant() switch
        {
            "debug" => LogLevel.Debug,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        });
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
    });
}
