using LocalDapr.Actors;
using LocalDapr.Components;
using LocalDapr.Grpc;

namespace LocalDapr.Hosting;

/// <summary>
/// Everything the sidecars of one runtime process share: name resolution between app ids, actor placement,
/// the reminder scheduler, and the shared component instances. This is what daprd's mDNS, placement and
/// scheduler services do for separate daprd processes.
/// </summary>
public sealed class LocalDaprCluster : IActorDirectory, IAsyncDisposable
{
    private readonly List<Sidecar> _sidecars = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IReminderStore> _inMemoryReminders = new(StringComparer.Ordinal);
    private int _roundRobin;

    public LocalDaprCluster(ILoggerFactory loggers, TimeProvider? time = null)
    {
        Loggers = loggers;
        Time = time ?? TimeProvider.System;
        Components = new SharedComponents(loggers);
        Reminders = new ReminderScheduler(this, Time, loggers.CreateLogger("reminders"));
    }

    public ILoggerFactory Loggers { get; }
    public TimeProvider Time { get; }
    public SharedComponents Components { get; }
    public ReminderScheduler Reminders { get; }

    private readonly Dictionary<string, Workflows.WorkflowEngine> _workflows = new(StringComparer.Ordinal);

    /// <summary>The workflow engine of an app id: every sidecar of that app serves the same one, so its workers share the work.</summary>
    public Workflows.WorkflowEngine Workflows(Sidecar sidecar)
    {
        Workflows.WorkflowEngine? engine;
        lock (_gate)
        {
            if (_workflows.TryGetValue(sidecar.AppId, out engine))
            {
                return engine;
            }

            engine = new Workflows.WorkflowEngine(sidecar.AppId, Time, sidecar.Components.ActorStore?.Store);
            _workflows[sidecar.AppId] = engine;
        }

        // Start-up takes back what the store holds before the first worker connects (as daprd reloads actor state).
        engine.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        return engine;
    }

    /// <summary>Services served on every sidecar's gRPC port beside dapr.proto.runtime.v1.Dapr, behind the same token check.</summary>
    internal List<Func<Sidecar, GrpcServiceBinding>> GrpcServices { get; } = [];

    /// <summary>
    /// Serves another descriptor-bound service (e.g. the workflow engine's TaskHubSidecarService) on the gRPC port of
    /// every sidecar started after this call; reflection lists it too.
    /// </summary>
    public void AddGrpcService(Func<Sidecar, GrpcServiceBinding> bind)
    {
        lock (_gate)
        {
            GrpcServices.Add(bind);
        }
    }

    public IReadOnlyList<Sidecar> Sidecars
    {
        get
        {
            lock (_gate)
            {
                return _sidecars.ToList();
            }
        }
    }

    public Task<Sidecar> StartSidecarAsync(SidecarOptions options, CancellationToken cancellationToken = default) =>
        Sidecar.StartAsync(this, options, cancellationToken);

    internal void Register(Sidecar sidecar)
    {
        lock (_gate)
        {
            _sidecars.Add(sidecar);
        }
    }

    internal void Unregister(Sidecar sidecar)
    {
        lock (_gate)
        {
            _sidecars.Remove(sidecar);
        }
    }

    /// <summary>Name resolution: one of the ready instances of an app id, in turn.</summary>
    public Sidecar? ResolveApp(string appId)
    {
        lock (_gate)
        {
            var candidates = _sidecars.Where(s => s.AppId == appId && s.AppChannel is not null).ToList();
            if (candidates.Count == 0)
            {
                candidates = _sidecars.Where(s => s.AppId == appId).ToList();
            }

            return candidates.Count == 0 ? null : candidates[(int)((uint)Interlocked.Increment(ref _roundRobin) % candidates.Count)];
        }
    }

    /// <summary>Placement: rendezvous hashing picks one host per actor id among the sidecars hosting the type.</summary>
    public ActorHost? FindHost(string actorType, string actorId, string? appId = null)
    {
        List<ActorHost> hosts;
        lock (_gate)
        {
            hosts = _sidecars
                .Where(s => appId is null || s.AppId == appId)
                .Select(s => s.Actors)
                .OfType<ActorHost>()
                .Where(h => h.Hosts(actorType))
                .ToList();
        }

        return hosts.Count == 0 ? null : hosts.MaxBy(h => Score(h.InstanceId, actorType, actorId));
    }

    public async Task<ActorHost> WaitForHostAsync(string? appId, string actorType, string actorId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (FindHost(actorType, actorId, appId) is { } host)
            {
                return host;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), Time, cancellationToken);
        }
    }

    internal IReminderStore ReminderStoreFor(Sidecar sidecar)
    {
        if (sidecar.Components.ActorStore?.Redis is { } redis)
        {
            return new RedisReminderStore(redis);
        }

        lock (_gate)
        {
            if (!_inMemoryReminders.TryGetValue(sidecar.AppId, out var store))
            {
                _inMemoryReminders[sidecar.AppId] = store = new InMemoryReminderStore();
            }

            return store;
        }
    }

    private static ulong Score(string instance, string type, string id)
    {
        // FNV-1a over instance|type|id (stable across processes, unlike string.GetHashCode), then a
        // murmur3 finaliser: without it the shared suffix barely reorders instances and one host gets every id.
        var hash = 14695981039346656037UL;
        foreach (var c in $"{instance}|{type}|{id}")
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sidecar in Sidecars)
        {
            await sidecar.DisposeAsync();
        }

        foreach (var engine in _workflows.Values)
        {
            await engine.DisposeAsync();
        }

        await Reminders.DisposeAsync();
        await Components.DisposeAsync();
    }
}
