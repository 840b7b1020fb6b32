using System.Net;
using System.Net.Sockets;
using Grpc.AspNetCore.Server.Model;
using Grpc.Reflection;
using LocalDapr.Actors;
using LocalDapr.Api;
using LocalDapr.Components;
using LocalDapr.Grpc;
using LocalDapr.Http;
using LocalDapr.PubSub;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LocalDapr.Hosting;

/// <summary>
/// One sidecar in front of one app: daprd's HTTP API on its port and its gRPC API on an HTTP/2-only (h2c) port, both
/// thin front ends over the same building blocks.
/// </summary>
public sealed partial class Sidecar : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private readonly List<SubscriptionSpec> _subscriptionSpecs = [];
    private readonly LoadedResources _resources;
    private WebApplication? _web;
    private WebApplication? _grpc;
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
        StateApi = new StateApi(options.AppId, components);
        PublishApi = new PublishApi(options.AppId, components, cluster.Time);
        SecretsApi = new SecretsApi(components);
        InvokeApi = new InvokeApi(this);
        ActorsApi = new ActorsApi(this);
        MetadataApi = new MetadataApi(this);
    }

    public StateApi StateApi { get; }
    public PublishApi PublishApi { get; }
    public SecretsApi SecretsApi { get; }
    public InvokeApi InvokeApi { get; }
    public ActorsApi ActorsApi { get; }
    public MetadataApi MetadataApi { get; }

    public LocalDaprCluster Cluster { get; }
    public SidecarOptions Options { get; }
    public DaprConfiguration Configuration { get; }
    public ComponentSet Components { get; }
    public ILogger Logger { get; }
    public string AppId => Options.AppId;
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");
    public int HttpPort { get; private set; }
    public string HttpEndpoint => $"http://127.0.0.1:{HttpPort}";
    public int GrpcPort { get; private set; }

    /// <summary>What `dapr run` hands an app as DAPR_GRPC_ENDPOINT.</summary>
    public string GrpcEndpoint => $"http://127.0.0.1:{GrpcPort}";
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
            sidecar.Logger.ResourceWarning(warning);
        }

        try
        {
            await sidecar.StartHttpAsync(cancellationToken);
            await sidecar.StartGrpcAsync(cluster.GrpcServices.Select(bind => bind(sidecar)).ToList(), cancellationToken);
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }

        cluster.Register(sidecar);
        sidecar._connect = Task.Run(sidecar.ConnectAppAsync, CancellationToken.None);
        sidecar.Logger.SidecarStarted(options.AppId, sidecar.HttpEndpoint, sidecar.GrpcEndpoint, string.Join(", ", components.All.Select(c => $"{c.Name} ({c.Type})")));
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
        Listen(builder, Options.HttpPort, HttpProtocols.Http1AndHttp2);
        _web = builder.Build();
        _web.Run(new DaprHttpApi(this).HandleAsync);
        HttpPort = await StartListenerAsync(_web, "HTTP", Options.HttpPort, cancellationToken);
    }

    /// <summary>
    /// The gRPC API on its own HTTP/2-only listener (gRPC clients speak h2c with prior knowledge, which an
    /// Http1AndHttp2 endpoint without TLS refuses): every descriptor-bound service, reflection listing them all as
    /// daprd's grpcReflection.Register does, and the API-token check in front of everything, reflection included.
    /// </summary>
    private async Task StartGrpcAsync(IReadOnlyList<GrpcServiceBinding> extra, CancellationToken cancellationToken)
    {
        var bindings = new List<GrpcServiceBinding> { DaprGrpcApi.Bind(this), Workflows.WorkflowGrpcApi.Bind(this) };
        bindings.AddRange(extra);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Cluster.Loggers);
        Listen(builder, Options.GrpcPort, HttpProtocols.Http2);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = 4 * 1024 * 1024; // daprd's default max body size (4Mi)
            grpc.Interceptors.Add<ApiTokenInterceptor>(Options.ApiToken ?? "");
        });
        foreach (var binding in bindings)
        {
            builder.Services.AddSingleton(binding);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<GrpcBoundService>, GrpcBoundMethodProvider>());
        var described = bindings.Select(b => b.Descriptor)
            .Append(global::Grpc.Reflection.V1.ServerReflection.Descriptor)
            .Append(global::Grpc.Reflection.V1Alpha.ServerReflection.Descriptor)
            .ToList();
        builder.Services.AddSingleton(new ReflectionV1ServiceImpl(described));
        builder.Services.AddSingleton(new ReflectionServiceImpl(described));
        _grpc = builder.Build();
        _grpc.MapGrpcService<GrpcBoundService>();
        _grpc.MapGrpcService<ReflectionV1ServiceImpl>();
        _grpc.MapGrpcService<ReflectionServiceImpl>();
        GrpcPort = await StartListenerAsync(_grpc, "gRPC", Options.GrpcPort, cancellationToken);
    }

    private void Listen(WebApplicationBuilder builder, int port, HttpProtocols protocols) => builder.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024; // daprd's default max body size (4Mi)
        kestrel.AddServerHeader = false;
        foreach (var address in Options.ListenAddresses)
        {
            kestrel.Listen(ParseAddress(address), port, listen => listen.Protocols = protocols);
        }
    });

    // daprd's --dapr-listen-addresses: CSV of IPs, IPv6 in brackets; "0.0.0.0" or "[::]" for all.
    private IPAddress ParseAddress(string address) =>
        IPAddress.TryParse(address.Trim().Trim('[', ']'), out var ip) ? ip
            : address.Trim() == "localhost" ? IPAddress.Loopback
            : throw new LocalDaprConfigException($"--dapr-listen-addresses: '{address}' is not an IP address (app {AppId})");

    private async Task<int> StartListenerAsync(WebApplication web, string what, int port, CancellationToken cancellationToken)
    {
        try
        {
            await web.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or SocketException)
        {
            throw new LocalDaprConfigException($"dapr {what} port {port} for app {AppId} is already in use");
        }

        // With port 0 every listen address gets its own free port; the first one is reported (tests listen on one address).
        return new Uri(web.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal)).Port;
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
                    Logger.WaitingForApp(AppId, appPort);
                }

                await Task.Delay(100, token);
            }

            AppChannel = channel;
            await LoadActorsAsync(channel, token);
            await SubscribeAsync(channel, token);
            IsReady = true;
            Logger.AppConnected(AppId, appPort);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Logger.AppConnectFailed(ex, AppId);
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
            Logger.ActorConfigFailed(AppId, ex.Message);
        }

        if (config.Entities.Count == 0)
        {
            return;
        }

        if (Components.ActorStore is null)
        {
            Logger.NoActorStateStore(AppId, string.Join(", ", config.Entities));
            return;
        }

        Actors = new ActorHost(AppId, InstanceId, config, channel, Cluster.Time, Cluster.Loggers.CreateLogger("actors." + AppId));
        await Cluster.Reminders.LoadAsync(AppId, Cluster.ReminderStoreFor(this), token);
        Logger.ActorTypesHosted(AppId, string.Join(", ", config.Entities));
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

        foreach (var web in new[] { _web, _grpc })
        {
            if (web is not null)
            {
                await web.StopAsync(TimeSpan.FromSeconds(5));
                await web.DisposeAsync();
            }
        }

        AppChannel?.Dispose();
        _stop.Dispose();
    }

    internal void RequestShutdown() => ShutdownRequested?.Invoke(this);
}
