using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DaprChat.Dapr.Actors;

/// <summary>
/// Base class of an actor. One instance per (type, id) in this app, created through DI with its <see cref="ActorHost"/>,
/// activated on the first call and dropped when daprd deactivates it. Calls are turn-based: one at a time.
/// </summary>
public abstract class Actor
{
    protected Actor(ActorHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        StateManager = new ActorStateManager(host);
        Logger = host.LoggerFactory.CreateLogger(GetType());
    }

    public ActorHost Host { get; }

    public ActorId Id => Host.Id;

    /// <summary>Per-turn cache over actor state; saved as one transaction after each successful turn.</summary>
    public IActorStateManager StateManager { get; protected set; }

    protected ILogger Logger { get; }

    protected internal virtual Task OnActivateAsync() => Task.CompletedTask;

    protected internal virtual Task OnDeactivateAsync() => Task.CompletedTask;

    protected internal virtual Task OnPreActorMethodAsync(ActorMethodContext actorMethodContext) => Task.CompletedTask;

    protected internal virtual Task OnPostActorMethodAsync(ActorMethodContext actorMethodContext) => Task.CompletedTask;

    /// <summary>
    /// Registers (or replaces) a reminder whose data is the JSON of <paramref name="state"/>; it reaches
    /// <see cref="IRemindable.ReceiveReminderAsync"/> as that JSON. Use <see cref="Timeout.InfiniteTimeSpan"/> as period to fire once.
    /// </summary>
    protected Task RegisterReminderAsync<TState>(string reminderName, TState state, TimeSpan dueTime, TimeSpan period, TimeSpan? ttl = null) =>
        Host.DaprClient.RegisterActorReminderAsync(Host.ActorType, Id.Id, reminderName, dueTime, period,
            JsonSerializer.SerializeToUtf8Bytes(state, Host.JsonSerializerOptions), ttl);

    /// <summary>As the SDK: bytes travel as a base64 JSON string; read them back with <c>JsonSerializer.Deserialize&lt;byte[]&gt;</c>.</summary>
    protected Task RegisterReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period, TimeSpan? ttl = null) =>
        Host.DaprClient.RegisterActorReminderAsync(Host.ActorType, Id.Id, reminderName, dueTime, period,
            state is null ? default : JsonSerializer.SerializeToUtf8Bytes(state, Host.JsonSerializerOptions), ttl);

    protected Task<ActorReminderInfo?> GetReminderAsync(string reminderName) =>
        Host.DaprClient.GetActorReminderAsync(Host.ActorType, Id.Id, reminderName);

    protected Task UnregisterReminderAsync(string reminderName) =>
        Host.DaprClient.UnregisterActorReminderAsync(Host.ActorType, Id.Id, reminderName);

    /// <summary>
    /// Registers a timer that calls the method-table entry <paramref name="callback"/> with the JSON of <paramref name="state"/>
    /// as its request. Timers live in the sidecar's memory and stop when the actor deactivates. Returns the timer name.
    /// </summary>
    protected async Task<string> RegisterTimerAsync<TState>(string? timerName, string callback, TState state, TimeSpan dueTime, TimeSpan period, TimeSpan? ttl = null)
    {
        var name = string.IsNullOrEmpty(timerName) ? "timer-" + Guid.NewGuid().ToString("N") : timerName;
        await Host.DaprClient.RegisterActorTimerAsync(Host.ActorType, Id.Id, name, callback, dueTime, period,
            JsonSerializer.SerializeToUtf8Bytes(state, Host.JsonSerializerOptions), ttl).ConfigureAwait(false);
        return name;
    }

    /// <summary>As the SDK: <paramref name="callbackParams"/> null means no data; bytes travel as a base64 JSON string.</summary>
    protected async Task<string> RegisterTimerAsync(string? timerName, string callback, byte[]? callbackParams, TimeSpan dueTime, TimeSpan period, TimeSpan? ttl = null)
    {
        var name = string.IsNullOrEmpty(timerName) ? "timer-" + Guid.NewGuid().ToString("N") : timerName;
        await Host.DaprClient.RegisterActorTimerAsync(Host.ActorType, Id.Id, name, callback, dueTime, period,
            callbackParams is null ? default : JsonSerializer.SerializeToUtf8Bytes(callbackParams, Host.JsonSerializerOptions), ttl).ConfigureAwait(false);
        return name;
    }

    protected Task UnregisterTimerAsync(string timerName) =>
        Host.DaprClient.UnregisterActorTimerAsync(Host.ActorType, Id.Id, timerName);
}
