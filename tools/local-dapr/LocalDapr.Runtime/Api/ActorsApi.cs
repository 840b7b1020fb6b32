using System.Text.Json.Nodes;
using LocalDapr.Actors;
using LocalDapr.Components;
using LocalDapr.Hosting;
using LocalDapr.State;

namespace LocalDapr.Api;

/// <summary>One operation of an actor state transaction: upsert (Value set) or delete.</summary>
public sealed record ActorStateOperation(string Key, byte[]? Value, string? ETag, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A reminder or timer registration as the app sent it: Go or ISO 8601 durations, and data as JSON.</summary>
public sealed record ActorSchedule(string? DueTime, string? Period, string? Ttl, string? DataJson, string? Callback);

/// <summary>
/// The actors building block: placement, method calls passed through untouched (remoting headers and bodies included),
/// actor state, reminders on the runtime's scheduler, and timers on the hosting sidecar.
/// </summary>
public sealed class ActorsApi(Sidecar sidecar)
{
    private static readonly TimeSpan PlacementLookupPatience = TimeSpan.FromSeconds(5);

    private string AppId => sidecar.AppId;

    public async Task<ActorCallResult> InvokeAsync(
        string type, string id, string method, byte[] body, string? contentType, IReadOnlyList<KeyValuePair<string, string[]>> headers, string query, CancellationToken cancellationToken)
    {
        var host = sidecar.Cluster.FindHost(type, id);
        if (host is null)
        {
            // daprd retries a placement miss about five times, a second apart.
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(PlacementLookupPatience);
            try
            {
                host = await sidecar.Cluster.WaitForHostAsync(null, type, id, patience.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DaprError(500, "ERR_ACTOR_INVOKE_METHOD", "error invoke actor method: failed to lookup actor: api error: code = FailedPrecondition desc = did not find address for actor");
            }
        }

        return await host.InvokeAsync(type, id, method, body, contentType, headers, query, cancellationToken);
    }

    public async Task<StateItem?> GetStateAsync(string type, string id, string key, CancellationToken cancellationToken)
    {
        var store = ActorStore("ERR_ACTOR_RUNTIME_NOT_FOUND");
        try
        {
            var item = await store.Store.GetAsync(StateKey(type, id, key), cancellationToken);
            return item is null || item.Data.Length == 0 ? null : item;
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_ACTOR_STATE_GET", "error getting actor state: " + ex.Message);
        }
    }

    public async Task TransactStateAsync(string type, string id, IReadOnlyList<ActorStateOperation> operations, CancellationToken cancellationToken)
    {
        var store = ActorStore("ERR_ACTOR_RUNTIME_NOT_FOUND");

        // daprd only writes actor state for an actor that is active in this very sidecar.
        if (sidecar.Actors is null || !sidecar.Actors.IsActive(type, id))
        {
            throw new DaprError(400, "ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing");
        }

        var ops = new List<TransactionOperation>();
        foreach (var op in operations)
        {
            if (op.Value is { } value)
            {
                if (op.Metadata.ContainsKey("ttlInSeconds") && !sidecar.Configuration.ActorStateTtl)
                {
                    throw SaveError("ttlInSeconds is not supported without the \"ActorStateTTL\" feature enabled");
                }

                var ttl = StateApi.ParseTtl(op.Metadata, "ERR_ACTOR_STATE_TRANSACTION_SAVE", store.Spec.Name);
                ops.Add(new TransactionOperation(new SetRequest(StateKey(type, id, op.Key), value, op.ETag, Concurrency.Unspecified, ttl), null));
            }
            else
            {
                ops.Add(new TransactionOperation(null, new DeleteRequest(StateKey(type, id, op.Key), op.ETag, Concurrency.Unspecified)));
            }
        }

        try
        {
            await store.Store.MultiAsync(ops, cancellationToken);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw SaveError(ex.Message);
        }
    }

    public static DaprError SaveError(string message) => new(500, "ERR_ACTOR_STATE_TRANSACTION_SAVE", "error saving actor transaction state: " + message);

    public async Task CreateReminderAsync(string type, string id, string name, ActorSchedule request, CancellationToken cancellationToken)
    {
        RequireHostedForReminders(type, "ERR_ACTOR_REMINDER_CREATE");
        var schedule = Schedule(request, "ERR_ACTOR_REMINDER_CREATE", "error creating actor reminder: ", rejectCalendarUnits: true);
        var reminder = new Reminder(AppId, type, id, name, request.DataJson, request.DueTime ?? "", request.Period ?? "",
            schedule.FirstDue, schedule.Period, schedule.Repetitions, schedule.ExpiresAt);
        await sidecar.Cluster.Reminders.CreateAsync(reminder, sidecar.Cluster.ReminderStoreFor(sidecar), cancellationToken);
    }

    public JsonObject? GetReminder(string type, string id, string name)
    {
        RequireHostedForReminders(type, "ERR_ACTOR_REMINDER_GET");
        return sidecar.Cluster.Reminders.Get(Reminder.Join(AppId, type, id, name))?.Describe();
    }

    public async Task DeleteReminderAsync(string type, string id, string name, CancellationToken cancellationToken)
    {
        RequireHostedForReminders(type, "ERR_ACTOR_REMINDER_DELETE");
        await sidecar.Cluster.Reminders.DeleteAsync(Reminder.Join(AppId, type, id, name), cancellationToken);
    }

    public async Task CreateTimerAsync(string type, string id, string name, ActorSchedule request)
    {
        if (sidecar.Actors is not { } actors)
        {
            throw new DaprError(500, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: can't create timer for actor {type}||{id}: actor type not registered");
        }

        var schedule = Schedule(request, "ERR_ACTOR_TIMER_CREATE", "error creating actor timer: ", rejectCalendarUnits: false);
        var spec = new TimerSpec(request.DataJson, request.Callback, request.DueTime ?? "", request.Period ?? "",
            schedule.FirstDue, schedule.Period, schedule.Repetitions, schedule.ExpiresAt);
        await actors.CreateTimerAsync(type, id, name, spec);
    }

    public void DeleteTimer(string type, string id, string name) => sidecar.Actors?.DeleteTimer(type, id, name);

    private StateStoreComponent ActorStore(string errorCode) => sidecar.Components.ActorStore
        ?? throw new DaprError(500, errorCode,
            "the state store is not configured to use the actor runtime. Have you set the - name: actorStateStore value: \"true\" in your state store component file?");

    private string StateKey(string type, string id, string key) => $"{AppId}||{type}||{id}||{key}";

    private void RequireHostedForReminders(string type, string errorCode)
    {
        if (sidecar.Actors is null || !sidecar.Actors.Hosts(type))
        {
            throw new DaprError(403, "ERR_ACTOR_REMINDER_NON_HOSTED", "operations on actor reminders are only possible on hosted actor types");
        }

        if (sidecar.Components.ActorStore is null)
        {
            throw new DaprError(500, errorCode, "reminder storage is not configured");
        }
    }

    private (DateTimeOffset FirstDue, TimeSpan? Period, int? Repetitions, DateTimeOffset? ExpiresAt) Schedule(
        ActorSchedule request, string errorCode, string prefix, bool rejectCalendarUnits)
    {
        var now = sidecar.Cluster.Time.GetUtcNow();
        if (!GoDuration.TryParseDueTime(request.DueTime, now, out var due))
        {
            throw new DaprError(500, errorCode, prefix + $"unsupported time/duration format \"{request.DueTime}\"");
        }

        TimeSpan? period = null;
        int? repetitions = null;
        if (request.Period is { Length: > 0 } periodText)
        {
            if (!GoDuration.TryParsePeriod(periodText, out var p, out repetitions, out var calendar, out var error))
            {
                throw new DaprError(500, errorCode, prefix + error);
            }

            // 1.16's Scheduler cannot express years, months or days.
            if (calendar && rejectCalendarUnits)
            {
                throw new DaprError(500, errorCode, prefix + "unsupported period format: " + periodText);
            }

            period = p;
        }

        DateTimeOffset? expires = null;
        if (request.Ttl is { Length: > 0 } ttlText)
        {
            if (!GoDuration.TryParseDueTime(ttlText, due, out var at))
            {
                throw new DaprError(500, errorCode, prefix + $"unsupported ttl format \"{ttlText}\"");
            }

            if (at <= now)
            {
                throw new DaprError(500, errorCode, prefix + "ttl is before the due time");
            }

            expires = at;
        }

        return (due, period, repetitions, expires);
    }
}
