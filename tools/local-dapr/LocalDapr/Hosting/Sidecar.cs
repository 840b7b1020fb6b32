using System.Net;
using System.Net.Sockets;
using LocalDapr.Actors;
using LocalDapr.Components;
using LocalDapr.Http;
using LocalDapr.PubSub;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LocalDapr.Hosting;

/// <summary>One sidecar: daprd's HTTP API on its own port, in front of one app.</summary>
public sealed partial class Sidecar : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private readonly List<SubscriptionSpec> _subscriptionSpecs = [];
    private readonly LoadedResources _resources;
    private WebApplication? _web;
    private Task _connect = Task.CompletedTask;
    private int _disposed;

    private Sidecar(LocalDaprCluster cluster, SidecarOptions options, DaprConfiguration configuration, LoadedResources resources, ComponentSet components)
    {
        Cluster = cluster;
        Options = options;
        Configuration = configuration;
        _resources = resources;
        Components = components;
        Logger = cluster.Loggers.CreateLogger("daprd." + options.AppId);
    }

    public LocalDaprCluster Cluster { get; }
    public SidecarOptions Options { get; }
    public DaprConfiguration Configuration { get; }
    public ComponentSet Components { get; }
    public ILogger Logger { get; }
    public string AppId => Options.AppId;
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");
    public int HttpPort { get; private set; }
    public string HttpEndpoint => $"http://127.0.0.1:{HttpPort}";
    public AppChannel? AppChannel { get; private set; }
    public ActorHost? Actors { get; private set; }
    public bool IsReady { get; private set; }
    public Dictionary<string, string> ExtendedMetadata { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<SubscriptionSpec> Subscriptions
    {
        get
        {
            lock (_subscriptionSpecs)
            {
                return _subscriptionSpecs.ToList();
            }
        }
    }

    /// <summary>Raised when the app asks for POST /v1.0/shutdown.</summary>
    public event Action<Sidecar>? ShutdownRequested;

    public static async Task<Sidecar> StartAsync(LocalDaprCluster cluster, SidecarOptions options, CancellationToken cancellationToken)
    {
        if (options.AppProtocol != "http")
        {
            throw new LocalDaprConfigException($"app protocol {options.AppProtocol} is not supported by local-dapr (only http)");
        }

        var configuration = DaprConfiguration.Load(options.ConfigPath);
        var resources = ResourceLoader.Load(options.ResourcesPaths, options.AppId);
        var components = ComponentSet.Build(resources.Components, options.AppId, options.Namespace, cluster.Components);
        var sidecar = new Sidecar(cluster, options, configuration, resources, components);
        foreach (var warning in resources.Warnings)
        {
            sidecar.Logger.LogWarning("{Warning}", warning);
        }

        await sidecar.StartHttpAsync(cancellationToken);
        cluster.Register(sidecar);
        sidecar._connect = Task.Run(sidecar.ConnectAppAsync, CancellationToken.None);
        sidecar.Logger.LogInformation(
            "dapr sidecar for app {AppId} on {Endpoint} with components: {Components}",
            options.AppId,
            sidecar.HttpEndpoint,
            string.Join(", ", components.All.Select(c => $"{c.Name} ({c.Type})")));
        return sidecar;
    }

    /// <summary>Completes once the app is connected and its subscriptions and actors are registered.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        await _connect.WaitAsync(cancellationToken);
    }

    private async Task StartHttpAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024; // daprd's default max body size (4Mi)
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(Options.ListenAddress), Options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        _web = builder.Build();
        _web.Run(HandleAsync);
        try
        {
            await _web.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or SocketException)
        {
            throw new LocalDaprConfigException($"dapr HTTP port {Options.HttpPort} for app {AppId} is already in use");
        }

        var address = _web.Urls.First();
        HttpPort = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
    }

    private async Task ConnectAppAsync()
    {
        var token = _stop.Token;
        try
        {
            if (Options.AppPort is not { } appPort)
            {
                IsReady = true;
                return;
            }

            var channel = new AppChannel(Options.AppChannelAddress, appPort, Options.AppApiToken);
            var waited = 0;
            while (!await channel.IsListeningAsync(token))
            {
                if (++waited % 50 == 0)
                {
                    Logger.LogInformation("waiting for app {AppId} to listen on port {Port}", AppId, appPort);
                }

                await Task.Delay(100, token);
            }

            AppChannel = channel;
            await LoadActorsAsync(channel, token);
            await SubscribeAsync(channel, token);
            IsReady = true;
            Logger.LogInformation("app {AppId} connected on port {Port}", AppId, appPort);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "connecting to app {AppId} failed", AppId);
        }
    }

    private async Task LoadActorsAsync(AppChannel channel, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/config");
        request.Headers.TryAddWithoutValidation("Dapr-App-Id", AppId);
        var config = ActorConfig.Empty;
        try
        {
            using var response = await channel.SendAsync(request, token);
            // Any non-200 answer means "no actors", as in daprd.
            if (response.StatusCode == HttpStatusCode.OK)
            {
                config = ActorConfig.Parse(await response.Content.ReadAsByteArrayAsync(token));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException)
        {
            Logger.LogWarning("GET /dapr/config on app {AppId} failed: {Error}", AppId, ex.Message);
        }

        if (config.Entities.Count == 0)
        {
            return;
        }

        if (Components.ActorStore is null)
        {
            Logger.LogError("app {AppId} hosts actors ({Types}) but no state store has actorStateStore: \"true\"; actors are disabled", AppId, string.Join(", ", config.Entities));
            return;
        }

        Actors = new ActorHost(AppId, InstanceId, config, channel, Cluster.Time, Cluster.Loggers.CreateLogger("actors." + AppId));
        await Cluster.Reminders.LoadAsync(AppId, Cluster.ReminderStoreFor(this), token);
        Logger.LogInformation("app {AppId} hosts actor types: {Types}", AppId, string.Join(", ", config.Entities));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Cluster.Unregister(this);
        await _stop.CancelAsync();
        await _connect;
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        if (Actors is not null)
        {
            await Actors.DisposeAsync();
        }

        if (_web is not null)
        {
            await _web.StopAsync(TimeSpan.FromSeconds(5));
            await _web.DisposeAsync();
        }

        AppChannel?.Dispose();
        _stop.Dispose();
    }

    internal void RequestShutdown() => ShutdownRequested?.Invoke(this);
}
