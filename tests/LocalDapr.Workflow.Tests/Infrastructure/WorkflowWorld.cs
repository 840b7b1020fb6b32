using DaprChat.Testing;
using Dapr.Workflow;
using LocalDapr.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LocalDapr.Workflow.Tests.Infrastructure;

public enum Profile
{
    Memory,
    Redis,
}

/// <summary>
/// The local runtime in-process with one sidecar (app id "wfapp", an API token), and a worker host built with the
/// official SDK's AddDaprWorkflow pointed at the sidecar's gRPC port, as `dapr run` would point it.
/// </summary>
public sealed class WorkflowWorld : IAsyncDisposable
{
    public const string Token = "wf-test-token";
    private readonly List<IHost> _hosts = [];
    private readonly string _dir;
    private readonly RedisServer? _redis;

    private WorkflowWorld(string dir, RedisServer? redis, LocalDaprCluster cluster, Sidecar sidecar)
    {
        _dir = dir;
        _redis = redis;
        Cluster = cluster;
        Sidecar = sidecar;
    }

    public LocalDaprCluster Cluster { get; private set; }
    public Sidecar Sidecar { get; private set; }
    public DaprWorkflowClient Client { get; private set; } = null!;
    public IHost FirstWorker => _hosts[0];

    public static async Task<WorkflowWorld> StartAsync(Profile profile)
    {
        var redis = profile == Profile.Redis ? await RedisServer.StartAsync() : null;
        var dir = Path.Combine(Path.GetTempPath(), "local-dapr-wf-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        var meta = redis is null ? "" : $"""

                - name: redisHost
                  value: "{redis.Address}"
            """;
        File.WriteAllText(Path.Combine(dir, "stores.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: wfstore
            spec:
              type: {(redis is null ? "state.in-memory" : "state.redis")}
              version: v1
              metadata:
                - name: actorStateStore
                  value: "true"{meta}
            """);
        var (cluster, sidecar) = await StartRuntimeAsync(dir);
        var world = new WorkflowWorld(dir, redis, cluster, sidecar);
        var host = await world.StartWorkerAsync();
        world.Client = host.Services.GetRequiredService<DaprWorkflowClient>();
        return world;
    }

    private static async Task<(LocalDaprCluster, Sidecar)> StartRuntimeAsync(string dir)
    {
        var cluster = new LocalDaprCluster(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));
        var sidecar = await cluster.StartSidecarAsync(new SidecarOptions { AppId = "wfapp", HttpPort = 0, ResourcesPaths = [dir], ApiToken = Token });
        return (cluster, sidecar);
    }

    /// <summary>Stops the workers and the runtime, then starts a fresh runtime on the same store and a fresh worker.</summary>
    public async Task RestartAsync()
    {
        foreach (var old in _hosts)
        {
            await old.StopAsync();
            old.Dispose();
        }

        _hosts.Clear();
        await Cluster.DisposeAsync();
        (Cluster, Sidecar) = await StartRuntimeAsync(_dir);
        var host = await StartWorkerAsync();
        Client = host.Services.GetRequiredService<DaprWorkflowClient>();
    }

    /// <summary>Another worker process of the app: a generic host with every test workflow and activity registered.</summary>
    public async Task<IHost> StartWorkerAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_GRPC_ENDPOINT"] = Sidecar.GrpcEndpoint,
            ["DAPR_HTTP_ENDPOINT"] = Sidecar.HttpEndpoint,
            ["DAPR_API_TOKEN"] = Token,
        });
        builder.Services.AddDaprWorkflow(TestWorkflows.Register);
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    /// <summary>Stops one worker (its work-item stream closes) without waiting for what it is running.</summary>
    public async Task StopWorkerAsync(IHost host)
    {
        _hosts.Remove(host);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await Cluster.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
