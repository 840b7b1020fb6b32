using LocalDapr.Components;
using LocalDapr.Hosting;

namespace LocalDapr.Cli;

/// <summary>`local-dapr sidecar`: one sidecar for one app, taking daprd's own flags.</summary>
public static class SidecarCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var flags = Flags.Parse(args);
        if (flags.Has("help"))
        {
            Console.WriteLine("""
                usage: local-dapr sidecar --app-id ID [--app-port N] [--dapr-http-port N] [--dapr-grpc-port N] [--resources-path DIR]...
                                          [--dapr-listen-addresses IP,...] [--config FILE] [--app-protocol http]
                                          [--app-channel-address HOST] [--log-level debug|info|warn|error]
                environment: DAPR_API_TOKEN (required from the app), APP_API_TOKEN (sent to the app), NAMESPACE
                """);
            return 0;
        }

        var options = new SidecarOptions
        {
            AppId = flags.Get("app-id") ?? throw new LocalDaprConfigException("--app-id is required"),
            AppPort = flags.GetInt("app-port"),
            HttpPort = flags.GetInt("dapr-http-port") ?? 3500,
            GrpcPort = flags.GetInt("dapr-grpc-port") ?? 50001,
            ListenAddresses = flags.Get("dapr-listen-addresses") is { Length: > 0 } addresses
                ? addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : ["127.0.0.1"],
            AppChannelAddress = flags.Get("app-channel-address") ?? "127.0.0.1",
            ResourcesPaths = flags.GetAll("resources-path").Concat(flags.GetAll("components-path")).ToList() is { Count: > 0 } paths
                ? paths
                : [DefaultResourcesPath()],
            ConfigPath = flags.Get("config"),
            AppProtocol = flags.Get("app-protocol") ?? "http",
            ApiToken = Environment.GetEnvironmentVariable("DAPR_API_TOKEN"),
            AppApiToken = Environment.GetEnvironmentVariable("APP_API_TOKEN"),
            Namespace = Environment.GetEnvironmentVariable("NAMESPACE"),
        };
        foreach (var ignored in new[] { "dapr-internal-grpc-port", "metrics-port", "placement-host-address", "scheduler-host-address" })
        {
            if (flags.Has(ignored))
            {
                Console.Error.WriteLine($"local-dapr: --{ignored} has no effect (no internal gRPC, placement or scheduler process is needed)");
            }
        }

        using var loggers = Logging.CreateFactory(flags.Get("log-level") ?? "info", options.AppId);
        await using var cluster = new LocalDaprCluster(loggers);
        using var signals = new StopSignals();
        var sidecar = await cluster.StartSidecarAsync(options);
        sidecar.ShutdownRequested += _ => signals.Stop("shutdown requested");
        Console.WriteLine($"local-dapr sidecar for '{options.AppId}' listening on {sidecar.HttpEndpoint} (HTTP) and {sidecar.GrpcEndpoint} (gRPC)");
        await signals.Stopped;
        return 0;
    }

    private static string DefaultResourcesPath() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dapr", "components");
}

/// <summary>daprd-style flags: --name value, --name=value, repeatable.</summary>
public sealed class Flags
{
    private readonly List<(string Name, string? Value)> _values = [];

    public static Flags Parse(string[] args)
    {
        var flags = new Flags();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                throw new LocalDaprConfigException($"unexpected argument '{arg}'");
            }

            var name = arg.TrimStart('-');
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            flags._values.Add((name, value));
        }

        return flags;
    }

    public bool Has(string name) => _values.Any(v => v.Name == name);

    public string? Get(string name) => _values.LastOrDefault(v => v.Name == name).Value;

    public IEnumerable<string> GetAll(string name) => _values.Where(v => v.Name == name && v.Value is not null).Select(v => v.Value!);

    public int? GetInt(string name) => Get(name) is { } v
        ? int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : throw new LocalDaprConfigException($"--{name} expects a number, got '{v}'")
        : null;
}
