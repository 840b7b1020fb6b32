using DaprChat.Testing;
using LocalDapr.Hosting;
using Microsoft.Extensions.Logging;

namespace LocalDapr.Tests.Infrastructure;

public enum Profile
{
    Memory,
    Redis,
}

/// <summary>
/// The local runtime, in-process, with a components folder written for the test: in-memory or a real
/// redis-server on a free loopback port. Sidecars are added per test app.
/// </summary>
public sealed class Runtime : IAsyncDisposable
{
    private readonly List<TestApp> _apps = [];
    private readonly bool _ownsRedis;

    private Runtime(Profile profile, string componentsDir, RedisServer? redis, bool ownsRedis, string? extraYaml)
    {
        Profile = profile;
        ComponentsDir = componentsDir;
        Redis = redis;
        _ownsRedis = ownsRedis;
        Cluster = new LocalDaprCluster(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));
        ExtraYaml = extraYaml;
    }

    public Profile Profile { get; }
    public string ComponentsDir { get; }
    public RedisServer? Redis { get; }
    public LocalDaprCluster Cluster { get; private set; }
    public string? ExtraYaml { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<Runtime> StartAsync(Profile profile, RedisServer? sharedRedis = null, string? extraYaml = null, string? componentsDir = null)
    {
        RedisServer? redis = sharedRedis;
        var ownsRedis = false;
        if (profile == Profile.Redis && redis is null)
        {
            redis = await RedisServer.StartAsync();
            ownsRedis = true;
        }

        if (sharedRedis is not null)
        {
            await using var client = await sharedRedis.ConnectAsync();
            await client.GetDatabase().ExecuteAsync("FLUSHALL");
        }

        var dir = componentsDir ?? Path.Combine(Path.GetTempPath(), "local-dapr-test-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        if (componentsDir is null)
        {
            Components.Write(dir, profile, redis?.Address, extraYaml);
        }

        return new Runtime(profile, dir, redis, ownsRedis, extraYaml);
    }

    /// <summary>Starts an app and its sidecar, and waits until the sidecar has connected to it.</summary>
    public async Task<(TestApp App, Sidecar Sidecar)> AddAppAsync(string appId, Action<TestApp>? configure = null, string? apiToken = null, string? appApiToken = null, string? configPath = null)
    {
        var app = await TestApp.StartAsync();
        configure?.Invoke(app);
        _apps.Add(app);
        var sidecar = await AddSidecarAsync(appId, app.Port, apiToken, appApiToken, configPath);
        return (app, sidecar);
    }

    public async Task<Sidecar> AddSidecarAsync(string appId, int? appPort, string? apiToken = null, string? appApiToken = null, string? configPath = null)
    {
        var sidecar = await Cluster.StartSidecarAsync(new SidecarOptions
        {
            AppId = appId,
            AppPort = appPort,
            HttpPort = 0,
            ResourcesPaths = [ComponentsDir],
            ApiToken = apiToken,
            AppApiToken = appApiToken,
            ConfigPath = configPath,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await sidecar.WaitUntilReadyAsync(timeout.Token);
        return sidecar;
    }

    /// <summary>Stops every sidecar and starts a fresh runtime process state on the same components and Redis.</summary>
    public async Task RestartClusterAsync()
    {
        await Cluster.DisposeAsync();
        Cluster = new LocalDaprCluster(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        Http.Dispose();
        if (_ownsRedis && Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        try
        {
            Directory.Delete(ComponentsDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public static class Components
{
    /// <summary>The same component names DaprChat uses, for the chosen profile. Redis redelivery is fast so tests see it.</summary>
    public static void Write(string dir, Profile profile, string? redisHost, string? extraYaml)
    {
        var state = profile == Profile.Memory ? "state.in-memory" : "state.redis";
        var pubsub = profile == Profile.Memory ? "pubsub.in-memory" : "pubsub.redis";
        var redis = profile == Profile.Memory ? "" : $"""

                - name: redisHost
                  value: "{redisHost}"
            """;
        var fastRedelivery = profile == Profile.Memory ? "" : """

                - name: processingTimeout
                  value: "400"
                - name: redeliverInterval
                  value: "200"
            """;
        File.WriteAllText(Path.Combine(dir, "stores.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: chatstore
            spec:
              type: {state}
              version: v1
              metadata:
                - name: actorStateStore
                  value: "true"{redis}
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: userstore
            spec:
              type: {state}
              version: v1
              metadata:
                - name: keyPrefix
                  value: name{redis}
            """);
        File.WriteAllText(Path.Combine(dir, "pubsub.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: events
            spec:
              type: {pubsub}
              version: v1
              metadata:{(profile == Profile.Memory ? " []" : "")}{redis}{fastRedelivery}
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: fanout
            spec:
              type: {pubsub}
              version: v1
              metadata:
                - name: consumerID
                  value: "{"{uuid}"}"{redis}{fastRedelivery}
            """);
        File.WriteAllText(Path.Combine(dir, "secrets.json"), """{"signing":{"kid":"k1","pem":"-----BEGIN-----"},"pepper":"p3pp3r"}""");
        File.WriteAllText(Path.Combine(dir, "secrets.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: secrets
            spec:
              type: secretstores.local.file
              version: v1
              metadata:
                - name: secretsFile
                  value: "{Path.Combine(dir, "secrets.json")}"
            """);
        if (extraYaml is not null)
        {
            File.WriteAllText(Path.Combine(dir, "extra.yaml"), extraYaml);
        }
    }
}
