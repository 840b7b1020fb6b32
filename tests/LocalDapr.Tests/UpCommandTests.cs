using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DaprChat.Testing;
using LocalDapr.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>`local-dapr up` on the repository's own dapr.yaml layout: the four real apps, built, healthy, and stopped by Ctrl-C.</summary>
public sealed class UpCommandTests
{
    private static readonly string[] AppIds = ["main", "chat", "notify", "summarize"];

    [Fact]
    public async Task Up_builds_and_starts_the_four_apps_to_healthy_and_Ctrl_C_stops_them_all()
    {
        var dir = Directory.CreateTempSubdirectory("daprchat-up-").FullName;
        var ports = AppIds.ToDictionary(id => id, _ => (App: FreePort.Next(), Dapr: FreePort.Next()));
        // The repository's template with free ports, so the test never collides with a running DaprChat; like dapr.yaml
        // it runs the apps in Development (main makes dev keys only there).
        var template = "version: 1\ncommon:\n  env:\n    DOTNET_ENVIRONMENT: Development\n    ASPNETCORE_ENVIRONMENT: Development\napps:\n" + string.Concat(AppIds.Select(id => $"""
              - appID: {id}
                appDirPath: {Path.Combine(Repository.Root, "services", id)}
                appPort: {ports[id].App}
                daprHTTPPort: {ports[id].Dapr}
                command: ["dotnet", "run", "--no-build", "--no-launch-profile"]

            """));
        await File.WriteAllTextAsync(Path.Combine(dir, "dapr.yaml"), template);

        var output = new ConcurrentQueue<string>();
        var info = new ProcessStartInfo("dotnet", [Repository.LocalDaprDll, "up", "-f", Path.Combine(dir, "dapr.yaml"), "--resources-path", Path.Combine(Repository.Root, "components", "local-memory")])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["NO_COLOR"] = "1";
        using var up = Process.Start(info)!;
        up.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        up.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        up.BeginOutputReadLine();
        up.BeginErrorReadLine();
        try
        {
            await HttpExtensions.EventuallyAsync(() => output.Any(l => l.StartsWith("DaprChat is up. Open ", StringComparison.Ordinal)) || up.HasExited,
                TimeSpan.FromMinutes(4), "up should print where to open DaprChat");
            Assert.False(up.HasExited, string.Join('\n', output));
            Assert.Contains($"DaprChat is up. Open http://localhost:{ports["main"].App}", output);
            Assert.All(AppIds, id => Assert.Contains(output, l => l.TrimStart().StartsWith(id, StringComparison.Ordinal) && l.TrimEnd().EndsWith("healthy", StringComparison.Ordinal)));

            // Every app answers through Dapr: main invokes each one's /healthz by app id.
            using var http = new HttpClient();
            var status = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{ports["main"].App}/api/status"))!;
            Assert.True(status["healthy"]!.GetValue<bool>(), status.ToJsonString());
            // main serves the web client at / and the status page beside it.
            Assert.Contains("src=\"/js/app.js\"", await http.GetStringAsync($"http://127.0.0.1:{ports["main"].App}/"));
            Assert.Contains("<h1>DaprChat service status</h1>", await http.GetStringAsync($"http://127.0.0.1:{ports["main"].App}/status.html"));

            // Anything on the machine, trying the apps' sidecar-only routes and the sidecars' APIs without the run's tokens.
            foreach (var id in AppIds)
            {
                foreach (var route in SidecarOnlyRoutes.ByApp[id])
                {
                    Assert.True(await OutsideCallerTests.CallAsync(http, ports[id].App, route) == HttpStatusCode.Unauthorized, $"{id}: {route.Method} {route.Path}");
                    Assert.True(await OutsideCallerTests.CallAsync(http, ports[id].App, route, ("dapr-caller-app-id", "main")) == HttpStatusCode.Unauthorized,
                        $"{id}: {route.Method} {route.Path} claiming to be main");
                }

                using var sidecarApi = await http.GetAsync($"http://127.0.0.1:{ports[id].Dapr}/v1.0/state/userstore/account-email:anyone");
                Assert.Equal(HttpStatusCode.Unauthorized, sidecarApi.StatusCode);
            }

            // Ctrl-C.
            using (var interrupt = Process.Start("kill", ["-INT", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await up.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, up.ExitCode);
            Assert.Contains("All apps and sidecars stopped.", output);
            foreach (var (id, (app, dapr)) in ports)
            {
                Assert.False(await IsListeningAsync(app), $"app {id} still listens on {app}");
                Assert.False(await IsListeningAsync(dapr), $"sidecar of {id} still listens on {dapr}");
            }
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("TERM", "terminated")]
    [InlineData("INT", "interrupted")]
    public async Task Up_started_in_the_background_by_a_script_hands_out_tokens_and_grpc_ports_and_stops_on_SIGTERM_or_SIGINT_after_its_folder_is_gone(
        string signal, string reason)
    {
        var dir = Directory.CreateTempSubdirectory("daprchat-up-bg-").FullName;
        var appDir = Directory.CreateTempSubdirectory("daprchat-up-app-").FullName;
        var (appPort, httpPort, grpcPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        // An app that only records the environment `up` gave it; it never listens, so `up` just waits for it.
        await File.WriteAllTextAsync(Path.Combine(dir, "dapr.yaml"), $"""
            version: 1
            apps:
              - appID: recorder
                appDirPath: {appDir}
                appPort: {appPort}
                daprHTTPPort: {httpPort}
                daprGRPCPort: {grpcPort}
                command: ["sh", "-c", "env > env.txt; exec sleep 600"]
            """);
        var log = Path.Combine(appDir, "up.log");
        // A non-interactive script's background job starts with SIGINT ignored; up must stop on it all the same.
        var script = $"""
            cd '{dir}'
            dotnet '{Repository.LocalDaprDll}' up -f dapr.yaml --resources-path '{Path.Combine(Repository.Root, "components", "local-memory")}' > '{log}' 2>&1 &
            echo $! > '{Path.Combine(appDir, "up.pid")}'
            wait $!
            echo "exit=$?" >> '{log}'
            """;
        var info = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardInput = true };
        info.Environment["NO_COLOR"] = "1";
        using var shell = Process.Start(info)!;
        try
        {
            var envFile = Path.Combine(appDir, "env.txt");
            await HttpExtensions.EventuallyAsync(() => File.Exists(envFile) && File.ReadAllText(envFile).Contains("DAPR_GRPC_ENDPOINT=", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the app should start with its environment");
            var env = File.ReadAllLines(envFile).Where(l => l.Contains('=', StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            Assert.Equal(grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), env["DAPR_GRPC_PORT"]);
            Assert.Equal($"http://127.0.0.1:{grpcPort}", env["DAPR_GRPC_ENDPOINT"]);
            Assert.Equal(httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), env["DAPR_HTTP_PORT"]);
            Assert.Matches("^[0-9a-f]{64}$", env["DAPR_API_TOKEN"]);
            Assert.Matches("^[0-9a-f]{64}$", env["APP_API_TOKEN"]);
            Assert.NotEqual(env["DAPR_API_TOKEN"], env["APP_API_TOKEN"]);

            // Secure by default: the sidecar refuses calls without the app's DAPR_API_TOKEN, on HTTP and on gRPC.
            using var http = new HttpClient();
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync($"http://127.0.0.1:{httpPort}/v1.0/metadata")).StatusCode);
            using var withToken = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{httpPort}/v1.0/metadata") { Headers = { { "dapr-api-token", env["DAPR_API_TOKEN"] } } };
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.SendAsync(withToken)).StatusCode);
            using var anonymous = new Dapr.Client.DaprClientBuilder().UseGrpcEndpoint(env["DAPR_GRPC_ENDPOINT"]).Build();
            await GrpcClients.ShouldFailAsync(global::Grpc.Core.StatusCode.Unauthenticated, () => anonymous.GetMetadataAsync());
            using var dapr = new Dapr.Client.DaprClientBuilder().UseGrpcEndpoint(env["DAPR_GRPC_ENDPOINT"]).UseDaprApiToken(env["DAPR_API_TOKEN"]).Build();
            Assert.Equal("recorder", (await dapr.GetMetadataAsync()).Id);

            // The template's folder (up's working directory) goes away; stopping must not care.
            Directory.Delete(dir, recursive: true);
            var pid = int.Parse(File.ReadAllText(Path.Combine(appDir, "up.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            using (var term = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await shell.WaitForExitAsync(timeout.Token);
            var output = await File.ReadAllTextAsync(log);
            Assert.Contains($"Stopping ({reason})", output);
            Assert.Contains("All apps and sidecars stopped.", output);
            Assert.Contains("exit=0", output);
            Assert.DoesNotContain("Unhandled exception", output);
            Assert.False(await IsListeningAsync(httpPort), "the sidecar still listens");
            Assert.False(await IsListeningAsync(grpcPort), "the sidecar's gRPC port still listens");
        }
        finally
        {
            if (!shell.HasExited)
            {
                shell.Kill(entireProcessTree: true);
            }

            Directory.Delete(appDir, recursive: true);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Up_refuses_to_start_when_a_port_is_taken_and_says_which()
    {
        var dir = Directory.CreateTempSubdirectory("daprchat-up-").FullName;
        using var blocker = new TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var taken = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
        await File.WriteAllTextAsync(Path.Combine(dir, "dapr.yaml"), $"""
            version: 1
            apps:
              - appID: main
                appDirPath: {Path.Combine(Repository.Root, "services", "main")}
                appPort: {taken}
            """);

        var info = new ProcessStartInfo("dotnet", [Repository.LocalDaprDll, "up", "-f", Path.Combine(dir, "dapr.yaml"), "--no-build", "--resources-path", Path.Combine(Repository.Root, "components", "local-memory")])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var up = Process.Start(info)!;
        var stderr = await up.StandardError.ReadToEndAsync();
        await up.WaitForExitAsync();

        Assert.Equal(1, up.ExitCode);
        Assert.Contains($"port {taken} (appPort of app main) is already in use", stderr);
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
