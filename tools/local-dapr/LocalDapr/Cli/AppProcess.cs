using System.Diagnostics;
using LocalDapr.Components;

namespace LocalDapr.Cli;

/// <summary>One app started by `up`, with its output prefixed and a graceful stop (SIGTERM, then kill).</summary>
public sealed class AppProcess
{
    private readonly Process _process;
    private readonly string _appId;

    private AppProcess(Process process, string appId)
    {
        _process = process;
        _appId = appId;
    }

    public event Action<int>? Exited;

    public static bool IsDotnetRun(IReadOnlyList<string> command) =>
        command.Count == 0 || (command.Count >= 2 && command[0] == "dotnet" && command[1] == "run");

    public static async Task<AppProcess> StartAsync(TemplateApp app, UpCommand.Ports ports, UpCommand.Tokens tokens, PrefixedConsole console)
    {
        ProcessStartInfo info;
        if (IsDotnetRun(app.Command))
        {
            // Run the built assembly directly: one process that stops cleanly on SIGTERM, unlike `dotnet run`'s child.
            var targetPath = await TargetPathAsync(app.AppDir);
            info = new ProcessStartInfo("dotnet", [targetPath]);
        }
        else
        {
            info = new ProcessStartInfo(app.Command[0], app.Command.Skip(1));
        }

        info.WorkingDirectory = app.AppDir;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        foreach (var (key, value) in app.Env)
        {
            info.Environment[key] = value;
        }

        // What `dapr run` passes to an app.
        info.Environment["APP_ID"] = app.AppId;
        info.Environment["APP_PORT"] = ports.AppPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["DAPR_HTTP_PORT"] = ports.DaprHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["DAPR_GRPC_PORT"] = ports.DaprGrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The SDK prefers DAPR_GRPC_ENDPOINT; an IPv4 literal avoids "localhost" resolving to ::1 first.
        info.Environment["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{ports.DaprGrpcPort}";
        info.Environment["DAPR_API_TOKEN"] = tokens.DaprApiToken;
        info.Environment["APP_API_TOKEN"] = tokens.AppApiToken;
        info.Environment["APP_CHANNEL_ADDRESS"] = "127.0.0.1";
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports.AppPort}";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var app_ = new AppProcess(process, app.AppId);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) console.Write("APP", app.AppId, e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) console.Write("APP", app.AppId, e.Data); };
        process.Exited += (_, _) => app_.Exited?.Invoke(process.ExitCode);
        if (!process.Start())
        {
            throw new LocalDaprConfigException($"app {app.AppId} could not be started");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app_;
    }

    private static async Task<string> TargetPathAsync(string appDir)
    {
        var info = new ProcessStartInfo("dotnet", ["msbuild", "-nologo", "-getProperty:TargetPath"])
        {
            WorkingDirectory = appDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var msbuild = Process.Start(info)!;
        var path = (await msbuild.StandardOutput.ReadToEndAsync()).Trim();
        await msbuild.WaitForExitAsync();
        return msbuild.ExitCode == 0 && File.Exists(path)
            ? path
            : throw new LocalDaprConfigException($"could not find the built app in {appDir} (is it built? {path})");
    }

    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            StopSignals.Terminate(_process.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"local-dapr: app {_appId} did not stop within 10 s; killing it");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
