using System.Text.Json;

namespace DaprChat.Dapr.Actors;

/// <summary>Actor settings reported to daprd through <c>GET /dapr/config</c>, plus the registered actor types.</summary>
public sealed class ActorRuntimeOptions
{
    private readonly Dictionary<string, ActorRegistration> _actors = new(StringComparer.Ordinal);
    private readonly List<ActorRegistration> _ordered = [];

    /// <summary>Idle time before daprd deactivates an actor (daprd's default: 60 minutes).</summary>
    public TimeSpan ActorIdleTimeout { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How long daprd waits for an in-flight call when rebalancing (daprd's default: 60 seconds).</summary>
    public TimeSpan DrainOngoingCallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public bool DrainRebalancedActors { get; set; }

    public ActorReentrancyConfig ReentrancyConfig { get; set; } = new();

    /// <summary>Only meaningful for state-store reminders (scheduler reminders, the 1.15+ default, ignore it).</summary>
    public int? RemindersStoragePartitions { get; set; }

    /// <summary>Serialises actor state, method requests/results and reminder/timer data.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>In registration order, so <c>/dapr/config</c> is stable.</summary>
    internal IReadOnlyList<ActorRegistration> Actors => _ordered;

    internal bool TryGetActor(string actorType, out ActorRegistration registration) =>
        _actors.TryGetValue(actorType, out registration!);

    /// <summary>
    /// Hosts <typeparamref name="TActor"/> as Dapr actor type <paramref name="actorTypeName"/>, with an explicit table of the
    /// methods daprd may call (no reflection). <paramref name="configure"/> sets per-type overrides (<c>entitiesConfig</c>).
    /// </summary>
    public ActorRuntimeOptions RegisterActor<TActor>(string actorTypeName, Action<ActorMethodTable<TActor>> methods,
        Action<ActorTypeOptions>? configure = null)
        where TActor : Actor
    {
        ArgumentException.ThrowIfNullOrEmpty(actorTypeName);
        ArgumentNullException.ThrowIfNull(methods);
        if (_actors.ContainsKey(actorTypeName))
        {
            throw new InvalidOperationException($"Actor type '{actorTypeName}' is registered twice");
        }

        var table = new ActorMethodTable<TActor>();
        methods(table);
        var typeOptions = new ActorTypeOptions();
        configure?.Invoke(typeOptions);
        var registration = new ActorRegistration(actorTypeName, typeof(TActor), table.Methods, typeOptions);
        _actors.Add(actorTypeName, registration);
        _ordered.Add(registration);
        return this;
    }
}

public sealed class ActorReentrancyConfig
{
    public bool Enabled { get; set; }

    /// <summary>daprd's default is 32.</summary>
    public int? MaxStackDepth { get; set; }
}

/// <summary>Per-type overrides; null means "as the app-wide setting".</summary>
public sealed class ActorTypeOptions
{
    public TimeSpan? ActorIdleTimeout { get; set; }
    public TimeSpan? DrainOngoingCallTimeout { get; set; }
    public bool? DrainRebalancedActors { get; set; }
    public ActorReentrancyConfig? ReentrancyConfig { get; set; }
    public int? RemindersStoragePartitions { get; set; }

    internal bool IsEmpty =>
        ActorIdleTimeout is null && DrainOngoingCallTimeout is null && DrainRebalancedActors is null
        && ReentrancyConfig is null && RemindersStoragePartitions is null;
}

internal sealed record ActorRegistration(
    string ActorTypeName,
    Type ActorClrType,
    IReadOnlyDictionary<string, ActorMethod> Methods,
    ActorTypeOptions TypeOptions);

/// <summary>A callable method: reads its request from raw JSON and returns the result to serialise (or none).</summary>
internal sealed record ActorMethod(
    string Name,
    Func<Actor, ReadOnlyMemory<byte>, JsonSerializerOptions, CancellationToken, Task<ActorMethodResult>> Invoke);

internal readonly record struct ActorMethodResult(object? Value, Type? Type)
{
    public static readonly ActorMethodResult None = new(null, null);
}

/// <summary>The methods of one actor type that daprd may call, by name: the explicit replacement for SDK remoting.</summary>
public sealed class ActorMethodTable<TActor>
    where TActor : Actor
{
    internal Dictionary<string, ActorMethod> Methods { get; } = new(StringComparer.Ordinal);

    /// <summary>A method taking a JSON request and returning a JSON result.</summary>
    public ActorMethodTable<TActor> Map<TRequest, TResponse>(string methodName, Func<TActor, TRequest, CancellationToken, Task<TResponse>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(methodName, async (actor, body, json, ct) =>
            new ActorMethodResult(await handler((TActor)actor, Read<TRequest>(body, json), ct).ConfigureAwait(false), typeof(TResponse)));
    }

    /// <summary>A method without a request, returning a JSON result.</summary>
    public ActorMethodTable<TActor> Map<TResponse>(string methodName, Func<TActor, CancellationToken, Task<TResponse>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(methodName, async (actor, _, _, ct) =>
            new ActorMethodResult(await handler((TActor)actor, ct).ConfigureAwait(false), typeof(TResponse)));
    }

    /// <summary>A method taking a JSON request, answering 200 with no body.</summary>
    public ActorMethodTable<TActor> Map<TRequest>(string methodName, Func<TActor, TRequest, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(methodName, async (actor, body, json, ct) =>
        {
            await handler((TActor)actor, Read<TRequest>(body, json), ct).ConfigureAwait(false);
            return ActorMethodResult.None;
        });
    }

    /// <summary>A method without request or result.</summary>
    public ActorMethodTable<TActor> Map(string methodName, Func<TActor, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(methodName, async (actor, _, _, ct) =>
        {
            await handler((TActor)actor, ct).ConfigureAwait(false);
            return ActorMethodResult.None;
        });
    }

    private ActorMethodTable<TActor> Add(string methodName,
        Func<Actor, ReadOnlyMemory<byte>, JsonSerializerOptions, CancellationToken, Task<ActorMethodResult>> invoke)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        if (!Methods.TryAdd(methodName, new ActorMethod(methodName, invoke)))
        {
            throw new InvalidOperationException($"Actor method '{methodName}' is mapped twice on {typeof(TActor).Name}");
        }

        return this;
    }

    // An empty body reads as default: daprd sends none for argument-less calls and for timers registered without data.
    private static TRequest Read<TRequest>(ReadOnlyMemory<byte> body, JsonSerializerOptions json) =>
        body.IsEmpty ? default! : JsonSerializer.Deserialize<TRequest>(body.Span, json)!;
}
