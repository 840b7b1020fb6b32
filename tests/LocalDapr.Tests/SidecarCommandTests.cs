using System.Diagnostics;
using System.Net;
using DaprChat.Testing;
using LocalDapr.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>`local-dapr sidecar` takes daprd's flags and environment: ports, listen addresses, DAPR_API_TOKEN.</summary>
public sealed class SidecarCommandTests
{
    [Fact]
    public async Task The_sidecar_command_serves_grpc_on_dapr_grpc_port_and_requires_DAPR_API_TOKEN_from_its_environment()
    {
        var (httpPort, grpcPort) = (FreePort.Next(), FreePort.Next());
        var components = Directory.CreateTempSubdirectory("local-dapr-sidecar-").FullName;
        Infrastructure.Components.Write(components, Profile.Memory, null, null);
        var info = new ProcessStartInfo("dotnet",
        [
            Repository.LocalDaprDll, "sidecar", "--app-id", "solo", "--dapr-http-port", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dapr-grpc-port", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dapr-listen-addresses", "127.0.0.1",
            "--resources-path", components,
        ])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["DAPR_API_TOKEN"] = "from-env";
        using var sidecar = Process.Start(info)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        sidecar.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        sidecar.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        sidecar.BeginOutputReadLine();
        sidecar.BeginErrorReadLine();
        try
        {
            await HttpExtensions.EventuallyAsync(() => output.Any(l => l.Contains("(gRPC)", StringComparison.Ordinal)) || sidecar.HasExited, TimeSpan.FromSeconds(30));
            Assert.False(sidecar.HasExited, string.Join('\n', output));
            Assert.Contains(output, l => l.Contains($"http://127.0.0.1:{grpcPort} (gRPC)", StringComparison.Ordinal));

            var endpoint = $"http://127.0.0.1:{grpcPort}";
            using var anonymous = new Dapr.Client.DaprClientBuilder().UseGrpcEndpoint(endpoint).Build();
            await GrpcClients.ShouldFailAsync(global::Grpc.Core.StatusCode.Unauthenticated, () => anonymous.SaveStateAsync("userstore", "k", 1));
            using var dapr = new Dapr.Client.DaprClientBuilder().UseGrpcEndpoint(endpoint).UseDaprApiToken("from-env").Build();
            await dapr.SaveStateAsync("userstore", "k", 1);
            using var http = new HttpClient();
            using var read = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{httpPort}/v1.0/state/userstore/k") { Headers = { { "dapr-api-token", "from-env" } } };
            Assert.Equal("1", await (await http.SendAsync(read)).Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"http://127.0.0.1:{httpPort}/v1.0/state/userstore/k")).StatusCode);

            using (var term = Process.Start("kill", ["-TERM", sidecar.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sidecar.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, sidecar.ExitCode);
        }
        finally
        {
            if (!sidecar.HasExited)
            {
                sidecar.Kill(entireProcessTree: true);
            }

            Directory.Delete(components, recursive: true);
        }
    }
}
