using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Actors;
using LocalDapr.Http;
using LocalDapr.State;

namespace LocalDapr.Hosting;

/// <summary>The actors API: /v1.0/actors/{type}/{id}/method|state|reminders|timers.</summary>
public sealed partial class Sidecar
{
    private static readonly TimeSpan PlacementLookupPatience = TimeSpan.FromSeconds(5);

    private async Task<bool> RouteActorsAsync(HttpContext context, string[] s, string method)
    {
        var type = Uri.UnescapeDataString(s[2]);
        var id = Uri.UnescapeDataString(s[3]);
        switch (s[4..])
        {
            case ["method", _, ..] when method is "GET" or "POST" or "PUT" or "DELETE":
                await InvokeActorAsync(context, type, id, string.Join('/', s.Skip(5).Select(Uri.UnescapeDataString)));
                return true;
            case ["state"] when method is "POST" or "PUT":
                await ActorStateTransactionAsync(context, type, id);
                return true;
            case ["state", var key] when method == "GET":
                await GetActorStateAsync(context, type, id, Uri.UnescapeDataString(key));
                return true;
            case ["reminders", var name] when method is "POST" or "PUT":
                await CreateReminderAsync(context, type, id, Uri.UnescapeDataString(name));
                return true;
            case ["reminders", var name] when method == "GET":
                RequireHostedForReminders(type, "ERR_ACTOR_REMINDER_GET");
                var reminder = Cluster.Reminders.Get(Reminder.Join(AppId, type, id, Uri.UnescapeDataString(name)));
                await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(reminder?.Describe() ?? []));
                return true;
            case ["reminders", var name] when method == "DELETE":
                RequireHostedForReminders(type, "ERR_ACTOR_REMINDER_DELETE");
                await Cluster.Reminders.DeleteAsync(Reminder.Join(AppId, type, id, Uri.UnescapeDataString(name)), context.RequestAborted);
                context.Response.StatusCode = 204;
                return true;
            case ["timers", var name] when method is "POST" or "PUT":
                await CreateTimerAsync(context, type, id, Uri.UnescapeDataString(name));
                return true;
            case ["timers", var name] when method == "DELETE":
                Actors?.DeleteTimer(type, id, Uri.UnescapeDataString(name));
                context.Response.StatusCode = 204;
                return true;
            default:
                return false;
        }
    }

    private async Task InvokeActorAsync(HttpContext context, string type, string id, string method)
    {
        var host = Cluster.FindHost(type, id);
        if (host is null)
        {
            // daprd retries a placement miss about five times, a second apart.
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            patience.CancelAfter(PlacementLookupPatience);
            try
            {
                host = await Cluster.WaitForHostAsync(null, type, id, patience.Token);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                throw new DaprError(500, "ERR_ACTOR_INVOKE_METHOD", "error invoke actor method: failed to lookup actor: api error: code = FailedPrecondition desc = did not find address for actor");
            }
        }

        var body = await ReadBodyAsync(context);
        var headers = context.Request.Headers
            .Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key, h.Value.OfType<string>().ToArray()))
            .ToList();
        var result = await host.InvokeAsync(type, id, method, body, context.Request.ContentType, headers, context.Request.QueryString.Value ?? "", context.RequestAborted);
        foreach (var (name, values) in result.Headers)
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers.Append(name, values);
            }
        }

        context.Response.StatusCode = result.Status;
        if (result.ContentType is not null)
        {
            context.Response.ContentType = result.ContentType;
        }

        await context.Response.Body.WriteAsync(result.Body, context.RequestAborted);
    }

    private Components.StateStoreComponent ActorStore(string errorCode) => Components.ActorStore
        ?? throw new DaprError(500, errorCode,
            "the state store is not configured to use the actor runtime. Have you set the - name: actorStateStore value: \"true\" in your state store component file?");

    private string ActorStateKey(string type, string id, string key) => $"{AppId}||{type}||{id}||{key}";

    private async Task GetActorStateAsync(HttpContext context, string type, string id, string key)
    {
        var store = ActorStore("ERR_ACTOR_RUNTIME_NOT_FOUND");
        StateItem? item;
        try
        {
            item = await store.Store.GetAsync(ActorStateKey(type, id, key), context.RequestAborted);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_ACTOR_STATE_GET", "error getting actor state: " + ex.Message);
        }

        if (item is null || item.Data.Length == 0)
        {
            context.Response.StatusCode = 204;
            return;
        }

        if (item.ExpireTime is { } expires)
        {
            context.Response.Headers["metadata.ttlExpireTime"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        await WriteJsonAsync(context, 200, item.Data);
    }

    private async Task ActorStateTransactionAsync(HttpContext context, string type, string id)
    {
        var store = ActorStore("ERR_ACTOR_RUNTIME_NOT_FOUND");
        var operations = await ReadJsonBodyAsync<JsonArray>(context);

        // daprd only writes actor state for an actor that is active in this very sidecar.
        if (Actors is null || !Actors.IsActive(type, id))
        {
            throw new DaprError(400, "ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing");
        }

        var ops = new List<TransactionOperation>();
        foreach (var node in operations)
        {
            var op = node as JsonObject ?? throw DaprError.Malformed("failed deserializing HTTP body: each operation must be an object");
            var kind = Text(Field(op, "operation"));
            var request = Field(op, "request") as JsonObject ?? throw Save("missing request");
            var key = Text(Field(request, "key")) is { Length: > 0 } k ? k : throw Save("missing key");
            var etag = Text(Field(request, "etag"));
            switch (kind)
            {
                case "upsert":
                    var metadata = StringMap(Field(request, "metadata"));
                    if (metadata.ContainsKey("ttlInSeconds") && !Configuration.ActorStateTtl)
                    {
                        throw Save("ttlInSeconds is not supported without the \"ActorStateTTL\" feature enabled");
                    }

                    var value = Field(request, "value");
                    var data = value is null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(value);
                    ops.Add(new TransactionOperation(new SetRequest(ActorStateKey(type, id, key), data, etag, Concurrency.Unspecified, ParseTtl(metadata, "ERR_ACTOR_STATE_TRANSACTION_SAVE", store.Spec.Name)), null));
                    break;
                case "delete":
                    ops.Add(new TransactionOperation(null, new DeleteRequest(ActorStateKey(type, id, key), etag, Concurrency.Unspecified)));
                    break;
                default:
                    throw Save($"operation type {kind} not supported");
            }
        }

        try
        {
            await store.Store.MultiAsync(ops, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw Save(ex.Message);
        }

        context.Response.StatusCode = 204;

        static DaprError Save(string message) => new(500, "ERR_ACTOR_STATE_TRANSACTION_SAVE", "error saving actor transaction state: " + message);
    }

    private void RequireHostedForReminders(string type, string errorCode)
    {
        if (Actors is null || !Actors.Hosts(type))
        {
            throw new DaprError(403, "ERR_ACTOR_REMINDER_NON_HOSTED", "operations on actor reminders are only possible on hosted actor types");
        }

        if (Components.ActorStore is null)
        {
            throw new DaprError(500, errorCode, "reminder storage is not configured");
        }
    }

    private async Task CreateReminderAsync(HttpContext context, string type, string id, string name)
    {
        RequireHostedForReminders(type, "ERR_ACTOR_REMINDER_CREATE");
        var body = await ReadTimerBodyAsync(context);
        var schedule = Schedule(body, "ERR_ACTOR_REMINDER_CREATE", "error creating actor reminder: ", rejectCalendarUnits: true);
        var reminder = new Reminder(AppId, type, id, name, Field(body, "data")?.ToJsonString(), Text(Field(body, "dueTime")) ?? "", Text(Field(body, "period")) ?? "",
            schedule.FirstDue, schedule.Period, schedule.Repetitions, schedule.ExpiresAt);
        await Cluster.Reminders.CreateAsync(reminder, Cluster.ReminderStoreFor(this), context.RequestAborted);
        context.Response.StatusCode = 204;
    }

    private async Task CreateTimerAsync(HttpContext context, string type, string id, string name)
    {
        if (Actors is null)
        {
            throw new DaprError(500, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: can't create timer for actor {type}||{id}: actor type not registered");
        }

        var body = await ReadTimerBodyAsync(context);
        var schedule = Schedule(body, "ERR_ACTOR_TIMER_CREATE", "error creating actor timer: ", rejectCalendarUnits: false);
        var spec = new TimerSpec(Field(body, "data")?.ToJsonString(), Text(Field(body, "callback")), Text(Field(body, "dueTime")) ?? "", Text(Field(body, "period")) ?? "",
            schedule.FirstDue, schedule.Period, schedule.Repetitions, schedule.ExpiresAt);
        await Actors.CreateTimerAsync(type, id, name, spec);
        context.Response.StatusCode = 204;
    }

    private static async Task<JsonObject> ReadTimerBodyAsync(HttpContext context) =>
        context.Request.ContentLength is 0 ? [] : await ReadJsonBodyAsync<JsonObject>(context);

    private (DateTimeOffset FirstDue, TimeSpan? Period, int? Repetitions, DateTimeOffset? ExpiresAt) Schedule(
        JsonObject body, string errorCode, string prefix, bool rejectCalendarUnits)
    {
        var now = Cluster.Time.GetUtcNow();
        if (!GoDuration.TryParseDueTime(Text(Field(body, "dueTime")), now, out var due))
        {
            throw new DaprError(500, errorCode, prefix + $"unsupported time/duration format \"{Text(Field(body, "dueTime"))}\"");
        }

        TimeSpan? period = null;
        int? repetitions = null;
        if (Text(Field(body, "period")) is { Length: > 0 } periodText)
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
        if (Text(Field(body, "ttl")) is { Length: > 0 } ttlText)
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
