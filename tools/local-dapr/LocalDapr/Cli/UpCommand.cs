using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using LocalDapr.Components;
using LocalDapr.Hosting;

namespace LocalDapr.Cli;

/// <summary>
/// `local-dapr up`: reads a dapr.yaml run template, builds the apps, and starts each one behind its own sidecar
/// inside this one process, so in-memory components are shared by all the apps (daprd's are private to a sidecar).
/// </summary>
public static class UpCommand
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    public static async Task<int> RunAsync(string[] args)
    {
        var flags = Flags.Parse(args);
        var templateArg = flags.Get("f") ?? flags.Get("file");
        var templateFile = templateArg is null ? FindTemplate() : Path.GetFullPath(templateArg);
        var profile = flags.Get("profile") ?? "memory";
        var apps = RunTemplate.Load(templateFile);
        var baseDir = Path.GetDirectoryName(templateFile)!;

        // As with `dapr run -f`, relative paths in components (e.g. a secrets file) resolve from the template's folder.
        Environment.CurrentDirectory = baseDir;
        var resources = flags.GetAll("resources-path").Select(Path.GetFullPath).ToList() is { Count: > 0 } explicitPaths
            ? explicitPaths
            : [Path.Combine(baseDir, "components", "local-" + profile)];
        if (!Directory.Exists(resources[0]))
        {
            throw new LocalDaprConfigException($"profile '{profile}' has no folder {resources[0]} (profiles: memory, redis)");
        }

        if (profile == "redis" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("REDIS_HOST")))
        {
            Environment.SetEnvironmentVariable("REDIS_HOST", "localhost:6379");
        }

        EnsureSecretsFiles(resources);
        var console = new PrefixedConsole();
        var plan = PlanPorts(apps);
        if (!flags.Has("no-build"))
        {
            await BuildAsync(apps, console);
        }

        // The gRPC listener logs through these loggers: ASP.NET Core's per-request lines (a workflow worker's Hello every 30 s) stay out.
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new PrefixedLoggerProvider(console, LogLevel.Information))
            .SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning));
        await using var cluster = new LocalDaprCluster(loggers);
        var processes = new List<AppProcess>();
        using var signals = new StopSignals();
        var exitCode = 0;
        try
        {
            foreach (var (app, ports) in apps.Zip(plan))
            {
                // Secure by default, as `dapr run` with tokens: the sidecar requires the first and sends the second.
                var tokens = new Tokens(ApiToken.Generate(), ApiToken.Generate());
                var sidecar = await cluster.StartSidecarAsync(new SidecarOptions
                {
                    AppId = app.AppId,
                    AppPort = ports.AppPort,
                    HttpPort = ports.DaprHttpPort,
                    GrpcPort = ports.DaprGrpcPort,
                    ResourcesPaths = resources,
                    ConfigPath = app.ConfigPath,
                    AppProtocol = app.AppProtocol,
                    ApiToken = tokens.DaprApiToken,
                    AppApiToken = tokens.AppApiToken,
                });
                sidecar.ShutdownRequested += s => console.Write("DAPR", s.AppId, "shutdown requested by the app");
                var process = await AppProcess.StartAsync(app, ports, tokens, console);
                process.Exited += code => signals.Stop($"app {app.AppId} exited with code {code}");
                processes.Add(process);
            }

            var healthy = WaitHealthyAsync(apps, plan, cluster, signals.Stopped);
            var first = await Task.WhenAny(healthy, signals.Stopped);
            if (first == healthy && await healthy)
            {
                PrintStatus(console, apps, plan);
                console.Info("Press Ctrl-C to stop everything.");
            }

            var reason = await signals.Stopped;
            if (reason.StartsWith("app ", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"local-dapr: {reason}; stopping the other apps");
                exitCode = 1;
            }
            else
            {
                console.Info($"Stopping ({reason})…");
            }
        }
        finally
        {
            await Task.WhenAll(processes.Select(p => p.StopAsync()));
        }

        console.Info("All apps and sidecars stopped.");
        return exitCode;
    }

    public sealed record Ports(int AppPort, int DaprHttpPort, int DaprGrpcPort);

    /// <summary>DAPR_API_TOKEN (the app to its sidecar) and APP_API_TOKEN (the sidecar to its app), fresh for every app of every run.</summary>
    public sealed record Tokens(string DaprApiToken, string AppApiToken);

    /// <summary>dapr.yaml in this folder or the nearest parent (`dotnet run --project` starts in the project's folder).</summary>
    private static string FindTemplate()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "dapr.yaml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new LocalDaprConfigException($"no dapr.yaml in {Environment.CurrentDirectory} or its parents; pass -f <template>");
    }

    /// <summary>A local secrets file named by a component but missing is created empty (it is git-ignored; dev keys go in it).</summary>
    private static void EnsureSecretsFiles(IEnumerable<string> resourcesPaths)
    {
        foreach (var path in resourcesPaths)
        {
            foreach (var (_, doc) in ResourceFile.ReadDirectory(path))
            {
                if (doc.Map("spec") is { } spec && spec.Str("type") == "secretstores.local.file")
                {
                    var file = (spec.List("metadata") ?? [])
                        .Select(m => ResourceFile.ToStringMap(m, path))
                        .FirstOrDefault(m => m.Str("name") == "secretsFile")?.Str("value");
                    if (file is not null && !Path.IsPathRooted(file) && !File.Exists(file))
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
                        File.WriteAllText(file, "{}\n");
                        Console.WriteLine($"local-dapr: created an empty local secrets file {file} (git-ignored)");
                    }
                }
            }
        }
    }

    private static List<Ports> PlanPorts(IReadOnlyList<TemplateApp> apps)
    {
        var plan = new List<Ports>();
        foreach (var app in apps)
        {
            var appPort = app.AppPort ?? FreePort();
            var daprPort = app.DaprHttpPort ?? FreePort();
            var grpcPort = app.DaprGrpcPort ?? FreePort();
            foreach (var (port, what) in new[] { (appPort, "appPort"), (daprPort, "daprHTTPPort"), (grpcPort, "daprGRPCPort") })
            {
                if (!IsFree(port))
                {
                    throw new LocalDaprConfigException($"port {port} ({what} of app {app.AppId}) is already in use; stop what holds it or change dapr.yaml");
                }
            }

            plan.Add(new Ports(appPort, daprPort, grpcPort));
        }

        return plan;
    }

    private static async Task BuildAsync(IReadOnlyList<TemplateApp> apps, PrefixedConsole console)
    {
        foreach (var app in apps.Where(a => AppProcess.IsDotnetRun(a.Command)))
        {
            console.Info($"Building {app.AppId}…");
            var info = new ProcessStartInfo("dotnet", ["build", "--nologo", "-v", "q", "-clp:NoSummary"])
            {
                WorkingDirectory = app.AppDir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var build = Process.Start(info)!;
            var output = build.StandardOutput.ReadToEndAsync();
            var errors = build.StandardError.ReadToEndAsync();
            await build.WaitForExitAsync();
            if (build.ExitCode != 0)
            {
                Console.Error.WriteLine(await output + await errors);
                throw new LocalDaprConfigException($"building app {app.AppId} in {app.AppDir} failed");
            }
        }
    }

    private static async Task<bool> WaitHealthyAsync(IReadOnlyList<TemplateApp> apps, List<Ports> plan, LocalDaprCluster cluster, Task stopped)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !stopped.IsCompleted)
        {
            var allHealthy = true;
            foreach (var (app, ports) in apps.Zip(plan))
            {
                var sidecar = cluster.Sidecars.FirstOrDefault(s => s.AppId == app.AppId);
                allHealthy &= sidecar is { IsReady: true } && await IsHealthyAsync(http, $"http://127.0.0.1:{ports.AppPort}{app.AppHealthCheckPath}");
            }

            if (allHealthy)
            {
                return true;
            }

            await Task.Delay(250);
        }

        if (!stopped.IsCompleted)
        {
            Console.Error.WriteLine($"local-dapr: not every app became healthy within {StartTimeout.TotalSeconds:0} s; still waiting (Ctrl-C to stop)");
        }

        return false;
    }

    private static async Task<bool> IsHealthyAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static void PrintStatus(PrefixedConsole console, IReadOnlyList<TemplateApp> apps, List<Ports> plan)
    {
        var rows = apps.Zip(plan).Select(x => (x.First.AppId, App: $"http://localhost:{x.Second.AppPort}", Dapr: $"http://localhost:{x.Second.DaprHttpPort}", Grpc: $"{x.Second.DaprGrpcPort}")).ToList();
        var w1 = Math.Max(6, rows.Max(r => r.AppId.Length));
        var w2 = rows.Max(r => r.App.Length);
        var w3 = Math.Max(12, rows.Max(r => r.Dapr.Length));
        var w4 = Math.Max(9, rows.Max(r => r.Grpc.Length));
        console.Info("");
        console.Info($"  {"APP ID".PadRight(w1)}  {"APP".PadRight(w2)}  {"SIDECAR HTTP".PadRight(w3)}  {"GRPC PORT".PadRight(w4)}  STATUS");
        foreach (var row in rows)
        {
            console.Info($"  {row.AppId.PadRight(w1)}  {row.App.PadRight(w2)}  {row.Dapr.PadRight(w3)}  {row.Grpc.PadRight(w4)}  healthy");
        }

        console.Info("");
        console.Info("Each app and its sidecar share a fresh DAPR_API_TOKEN and APP_API_TOKEN for this run (set in the app's environment).");

        console.Info("");
        console.Info($"DaprChat is up. Open {rows[0].App}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
