using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaprChat.Dapr.Actors;

/// <summary>The app's actor table: one instance per (type, id), activation, turns, state saving, deactivation.</summary>
internal sealed partial class ActorRuntime(
    IOptions<ActorRuntimeOptions> options,
    IServiceScopeFactory scopeFactory,
    DaprClient daprClient,
    ILoggerFactory loggerFactory)
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
        Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is used; disposing it under queued waiters would break them.")]
    private sealed class Slot
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public Actor? Actor;
        public AsyncServiceScope? Scope;
        public volatile string? HolderReentrancyId;
        public bool Removed;
    }

    private readonly ConcurrentDictionary<(string Type, string Id), Slot> _slots = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<ActorRuntime>();

    public ActorRuntimeOptions Options { get; } = options.Value;

    /// <summary>
    /// Runs one turn on the actor, activating it first if needed. A matching reentrancy id enters without the lock
    /// (daprd already admitted it into the same call chain); anything else queues, FIFO-ish, behind the current turn.
    /// </summary>
    public async Task<ActorMethodResult> RunTurnAsync(ActorRegistration registration, string actorId, string? reentrancyId,
        ActorMethodContext context, Func<Actor, CancellationToken, Task<ActorMethodResult>> work, CancellationToken cancellationToken)
    {
        var key = (registration.ActorTypeName, actorId);
        while (true)
        {
            var slot = _slots.GetOrAdd(key, _ => new Slot());
            var reentrant = reentrancyId is not null && slot.HolderReentrancyId == reentrancyId;
            if (!reentrant)
            {
                await slot.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                if (slot.Removed)
                {
                    // Deactivated while we waited: start over with a fresh slot.
                    continue;
                }

                if (!reentrant)
                {
                    slot.HolderReentrancyId = reentrancyId;
                }

                var actor = slot.Actor ?? await ActivateAsync(registration, actorId, key, slot).ConfigureAwait(false);
                var previous = ActorReentrancyContext.CurrentId;
                ActorReentrancyContext.CurrentId = reentrancyId;
                try
                {
                    await actor.OnPreActorMethodAsync(context).ConfigureAwait(false);
                    var result = await work(actor, cancellationToken).ConfigureAwait(false);
                    await actor.OnPostActorMethodAsync(context).ConfigureAwait(false);
                    await actor.StateManager.SaveStateAsync(cancellationToken).ConfigureAwait(false);
                    return result;
                }
                catch
                {
                    // A failed turn must not leak its half-made changes into the next one.
                    await actor.StateManager.ClearCacheAsync(CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
                finally
                {
                    ActorReentrancyContext.CurrentId = previous;
                }
            }
            finally
            {
                if (!reentrant)
                {
                    slot.HolderReentrancyId = null;
                    slot.Lock.Release();
                }
            }
        }
    }

    private async Task<Actor> ActivateAsync(ActorRegistration registration, string actorId, (string, string) key, Slot slot)
    {
        var scope = scopeFactory.CreateAsyncScope();
        try
        {
            var host = new ActorHost(registration.ActorTypeName, new ActorId(actorId), daprClient, Options.JsonSerializerOptions, loggerFactory);
            var actor = (Actor)ActivatorUtilities.CreateInstance(scope.ServiceProvider, registration.ActorClrType, host);
            await actor.OnActivateAsync().ConfigureAwait(false);
            slot.Actor = actor;
            slot.Scope = scope;
            LogActivated(registration.ActorTypeName, actorId);
            return actor;
        }
        catch
        {
            slot.Removed = true;
            _slots.TryRemove(new KeyValuePair<(string, string), Slot>(key, slot));
            await scope.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>daprd's DELETE: runs OnDeactivateAsync under the turn lock and forgets the instance. False if it was not active.</summary>
    public async Task<bool> DeactivateAsync(string actorType, string actorId)
    {
        var key = (actorType, actorId);
        if (!_slots.TryGetValue(key, out var slot))
        {
            return false;
        }

        await slot.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (slot.Removed)
            {
                return false;
            }

            slot.Removed = true;
            _slots.TryRemove(new KeyValuePair<(string, string), Slot>(key, slot));
            if (slot.Actor is not { } actor)
            {
                return false;
            }

            try
            {
                await actor.OnDeactivateAsync().ConfigureAwait(false);
            }
            finally
            {
                if (slot.Scope is { } scope)
                {
                    await scope.DisposeAsync().ConfigureAwait(false);
                }

                LogDeactivated(actorType, actorId);
            }

            return true;
        }
        finally
        {
            slot.Lock.Release();
        }
    }

    /// <summary>The body of <c>GET /dapr/config</c>, durations in Go form.</summary>
    public byte[] BuildConfig()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("entities");
            foreach (var actor in Options.Actors)
            {
                writer.WriteStringValue(actor.ActorTypeName);
            }

            writer.WriteEndArray();
            writer.WriteString("actorIdleTimeout", GoDuration.Format(Options.ActorIdleTimeout));
            writer.WriteString("drainOngoingCallTimeout", GoDuration.Format(Options.DrainOngoingCallTimeout));
            writer.WriteBoolean("drainRebalancedActors", Options.DrainRebalancedActors);
            WriteReentrancy(writer, Options.ReentrancyConfig);
            if (Options.RemindersStoragePartitions is { } partitions)
            {
                writer.WriteNumber("remindersStoragePartitions", partitions);
            }

            writer.WriteStartArray("entitiesConfig");
            foreach (var actor in Options.Actors.Where(a => !a.TypeOptions.IsEmpty))
            {
                var type = actor.TypeOptions;
                writer.WriteStartObject();
                writer.WriteStartArray("entities");
                writer.WriteStringValue(actor.ActorTypeName);
                writer.WriteEndArray();
                if (type.ActorIdleTimeout is { } idle)
                {
                    writer.WriteString("actorIdleTimeout", GoDuration.Format(idle));
                }

                if (type.DrainOngoingCallTimeout is { } drain)
                {
                    writer.WriteString("drainOngoingCallTimeout", GoDuration.Format(drain));
                }

                if (type.DrainRebalancedActors is { } rebalance)
                {
                    writer.WriteBoolean("drainRebalancedActors", rebalance);
                }

                if (type.ReentrancyConfig is { } reentrancy)
                {
                    WriteReentrancy(writer, reentrancy);
                }

                if (type.RemindersStoragePartitions is { } typePartitions)
                {
                    writer.WriteNumber("remindersStoragePartitions", typePartitions);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteReentrancy(Utf8JsonWriter writer, ActorReentrancyConfig config)
    {
        writer.WriteStartObject("reentrancy");
        writer.WriteBoolean("enabled", config.Enabled);
        if (config.MaxStackDepth is { } depth)
        {
            writer.WriteNumber("maxStackDepth", depth);
        }

        writer.WriteEndObject();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Activated actor {ActorType}/{ActorId}")]
    private partial void LogActivated(string actorType, string actorId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivated actor {ActorType}/{ActorId}")]
    private partial void LogDeactivated(string actorType, string actorId);
}
