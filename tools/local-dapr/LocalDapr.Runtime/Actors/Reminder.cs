using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Redis;
using StackExchange.Redis;

namespace LocalDapr.Actors;

/// <summary>A reminder as the runtime schedules it (daprd 1.16 keeps these as Scheduler jobs).</summary>
public sealed record Reminder(
    string AppId,
    string ActorType,
    string ActorId,
    string Name,
    string? Data,
    string DueTimeText,
    string PeriodText,
    DateTimeOffset NextDue,
    TimeSpan? Period,
    int? RemainingRepetitions,
    DateTimeOffset? ExpiresAt)
{
    public string Key => Join(AppId, ActorType, ActorId, Name);

    public static string Join(string appId, string type, string id, string name) => $"{appId}||{type}||{id}||{name}";

    /// <summary>The body of the reminder callback: 1.16's scheduler sends empty dueTime and period.</summary>
    public byte[] CallbackBody()
    {
        var body = new JsonObject();
        if (Data is not null)
        {
            body["data"] = JsonNode.Parse(Data);
        }

        body["dueTime"] = "";
        body["period"] = "";
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    /// <summary>GET reminder in scheduler mode: period as the scheduler's "@every" schedule, and actorID/actorType.</summary>
    public JsonObject Describe()
    {
        var body = new JsonObject();
        if (Period is { } p)
        {
            body["period"] = "@every " + GoDuration.Format(p);
        }

        if (Data is not null)
        {
            body["data"] = JsonNode.Parse(Data);
        }

        body["actorID"] = ActorId;
        body["actorType"] = ActorType;
        if (DueTimeText.Length > 0)
        {
            body["dueTime"] = DueTimeText;
        }

        return body;
    }
}

/// <summary>Where reminders live so they outlive the runtime process when the actor state store does.</summary>
public interface IReminderStore
{
    Task SaveAsync(Reminder reminder, CancellationToken cancellationToken);

    Task DeleteAsync(Reminder reminder, CancellationToken cancellationToken);

    Task<IReadOnlyList<Reminder>> LoadAsync(string appId, CancellationToken cancellationToken);

    /// <summary>Claims one firing so two runtime processes sharing the store do not both fire it.</summary>
    Task<bool> TryClaimAsync(Reminder reminder, CancellationToken cancellationToken);
}

public sealed class InMemoryReminderStore : IReminderStore
{
    public Task SaveAsync(Reminder reminder, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(Reminder reminder, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<Reminder>> LoadAsync(string appId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Reminder>>([]);

    public Task<bool> TryClaimAsync(Reminder reminder, CancellationToken cancellationToken) => Task.FromResult(true);
}

/// <summary>One Redis hash per app id, field = type||id||name, beside the actor state in the actor state store's Redis.</summary>
public sealed class RedisReminderStore(RedisConnection redis) : IReminderStore
{
    private static string HashKey(string appId) => $"local-dapr||reminders||{appId}";

    private static string Field(Reminder r) => $"{r.ActorType}||{r.ActorId}||{r.Name}";

    public async Task SaveAsync(Reminder reminder, CancellationToken cancellationToken) =>
        await (await redis.DatabaseAsync()).HashSetAsync(HashKey(reminder.AppId), Field(reminder), JsonSerializer.SerializeToUtf8Bytes(reminder));

    public async Task DeleteAsync(Reminder reminder, CancellationToken cancellationToken) =>
        await (await redis.DatabaseAsync()).HashDeleteAsync(HashKey(reminder.AppId), Field(reminder));

    public async Task<IReadOnlyList<Reminder>> LoadAsync(string appId, CancellationToken cancellationToken)
    {
        var fields = await (await redis.DatabaseAsync()).HashGetAllAsync(HashKey(appId));
        var result = new List<Reminder>();
        foreach (var field in fields)
        {
            if ((byte[]?)field.Value is { } json && JsonSerializer.Deserialize<Reminder>(json) is { } reminder)
            {
                result.Add(reminder);
            }
        }

        return result;
    }

    public async Task<bool> TryClaimAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        var claim = $"local-dapr||reminder-claim||{reminder.Key}||{reminder.NextDue.ToUnixTimeMilliseconds()}";
        // Only needs to outlive one firing (the reminder's next due time is stored right after); short, so an actor's
        // keys are all gone from Redis soon after its last reminder, as apps with expiring data expect.
        return await (await redis.DatabaseAsync()).StringSetAsync(claim, "1", TimeSpan.FromSeconds(10), When.NotExists);
    }
}
