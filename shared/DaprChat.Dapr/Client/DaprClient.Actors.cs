using System.Text;
using System.Text.Json;

namespace DaprChat.Dapr;

public sealed partial class DaprClient
{
    /// <summary>Carried on actor calls so daprd lets a reentrant chain back into a locked actor.</summary>
    public const string ReentrancyIdHeader = "Dapr-Reentrancy-Id";

    /// <summary>
    /// <c>PUT /v1.0/actors/{type}/{id}/method/{method}</c> with a JSON body, reading the JSON reply. When the actor answers
    /// anything but 200 daprd replies 500 ERR_ACTOR_INVOKE_METHOD, which surfaces as <see cref="DaprApiException"/>.
    /// </summary>
    public async Task<TResponse> InvokeActorMethodAsync<TRequest, TResponse>(string actorType, string actorId, string methodName,
        TRequest data, CancellationToken cancellationToken = default)
    {
        using var request = NewActorInvokeRequest(actorType, actorId, methodName, JsonContent(data));
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadRequiredAsync<TResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Invokes an actor method without a body and reads the JSON reply.</summary>
    public async Task<TResponse> InvokeActorMethodAsync<TResponse>(string actorType, string actorId, string methodName,
        CancellationToken cancellationToken = default)
    {
        using var request = NewActorInvokeRequest(actorType, actorId, methodName, null);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadRequiredAsync<TResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Invokes an actor method with a JSON body and ignores the reply body.</summary>
    public Task InvokeActorMethodAsync<TRequest>(string actorType, string actorId, string methodName, TRequest data,
        CancellationToken cancellationToken = default) =>
        SendAndDisposeAsync(NewActorInvokeRequest(actorType, actorId, methodName, JsonContent(data)), cancellationToken);

    /// <summary>Invokes an actor method without a body and ignores the reply body.</summary>
    public Task InvokeActorMethodAsync(string actorType, string actorId, string methodName, CancellationToken cancellationToken = default) =>
        SendAndDisposeAsync(NewActorInvokeRequest(actorType, actorId, methodName, null), cancellationToken);

    private HttpRequestMessage NewActorInvokeRequest(string actorType, string actorId, string methodName, HttpContent? content)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        var request = NewRequest(HttpMethod.Put, ActorPath(actorType, actorId) + "/method/" + DaprUrl.Segment(methodName), content: content);
        if (ActorReentrancyContext.CurrentId is { } reentrancyId)
        {
            request.Headers.TryAddWithoutValidation(ReentrancyIdHeader, reentrancyId);
        }

        return request;
    }

    /// <summary>
    /// <c>GET /v1.0/actors/{type}/{id}/state/{key}</c>: the stored JSON, or null when missing (204).
    /// Used by the actor state manager; daprd 1.14 required the actor to be active in this sidecar.
    /// </summary>
    public async Task<ActorStateResponse?> GetActorStateAsync(string actorType, string actorId, string key,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var request = NewRequest(HttpMethod.Get, ActorPath(actorType, actorId) + "/state/" + DaprUrl.Segment(key));
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (IsNoContent(response, body))
        {
            return null;
        }

        var expires = FirstHeader(response, "metadata." + StateMetadata.TtlExpireTime);
        return new ActorStateResponse(body,
            DateTimeOffset.TryParse(expires, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null);
    }

    /// <summary>
    /// <c>POST /v1.0/actors/{type}/{id}/state</c>, a JSON array of upsert/delete operations applied all-or-nothing.
    /// daprd answers 400 ERR_ACTOR_INSTANCE_MISSING unless the actor is active in this sidecar, so call it inside a turn.
    /// </summary>
    public Task ExecuteActorStateTransactionAsync(string actorType, string actorId, IEnumerable<ActorStateOperation> operations,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var request = NewRequest(HttpMethod.Post, ActorPath(actorType, actorId) + "/state", content: JsonContent(writer =>
        {
            writer.WriteStartArray();
            foreach (var operation in operations)
            {
                writer.WriteStartObject();
                writer.WriteString("operation", operation.OperationType == StateOperationType.Upsert ? "upsert" : "delete");
                writer.WriteStartObject("request");
                writer.WriteString("key", operation.Key);
                if (operation.OperationType == StateOperationType.Upsert)
                {
                    writer.WritePropertyName("value");
                    writer.WriteRawValue(operation.Value.Span);
                }

                StateJson.WriteStringMap(writer, "metadata", operation.Metadata);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }));
        return SendAndDisposeAsync(request, cancellationToken);
    }

    /// <summary>
    /// <c>PUT /v1.0/actors/{type}/{id}/reminders/{name}</c>. <paramref name="data"/> is raw JSON (empty = none) and comes
    /// back verbatim in the reminder callback. A null period fires once. Only the sidecar hosting the type may do this (else 403).
    /// </summary>
    public Task RegisterActorReminderAsync(string actorType, string actorId, string reminderName, TimeSpan dueTime,
        TimeSpan? period = null, ReadOnlyMemory<byte> data = default, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reminderName);
        var request = NewRequest(HttpMethod.Put, ActorPath(actorType, actorId) + "/reminders/" + DaprUrl.Segment(reminderName),
            content: JsonContent(writer => WriteSchedule(writer, dueTime, period, ttl, data, callback: null)));
        return SendAndDisposeAsync(request, cancellationToken);
    }

    /// <summary><c>GET /v1.0/actors/{type}/{id}/reminders/{name}</c>; null when daprd reports nothing (<c>{}</c> or <c>null</c>).</summary>
    public async Task<ActorReminderInfo?> GetActorReminderAsync(string actorType, string actorId, string reminderName,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reminderName);
        using var request = NewRequest(HttpMethod.Get, ActorPath(actorType, actorId) + "/reminders/" + DaprUrl.Segment(reminderName));
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.EnumerateObject().Any())
        {
            return null;
        }

        static string Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

        var data = root.TryGetProperty("data", out var d) ? Encoding.UTF8.GetBytes(d.GetRawText()) : [];
        return new ActorReminderInfo(reminderName, Text(root, "dueTime"), Text(root, "period"), data);
    }

    /// <summary><c>DELETE /v1.0/actors/{type}/{id}/reminders/{name}</c>.</summary>
    public Task UnregisterActorReminderAsync(string actorType, string actorId, string reminderName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reminderName);
        return SendAndDisposeAsync(
            NewRequest(HttpMethod.Delete, ActorPath(actorType, actorId) + "/reminders/" + DaprUrl.Segment(reminderName)), cancellationToken);
    }

    /// <summary>
    /// <c>PUT /v1.0/actors/{type}/{id}/timers/{name}</c>; daprd echoes <paramref name="callback"/> and <paramref name="data"/>
    /// (raw JSON) in each timer callback. Timers live in the sidecar's memory and end when the actor deactivates.
    /// </summary>
    public Task RegisterActorTimerAsync(string actorType, string actorId, string timerName, string callback, TimeSpan dueTime,
        TimeSpan? period = null, ReadOnlyMemory<byte> data = default, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(timerName);
        ArgumentNullException.ThrowIfNull(callback);
        var request = NewRequest(HttpMethod.Put, ActorPath(actorType, actorId) + "/timers/" + DaprUrl.Segment(timerName),
            content: JsonContent(writer => WriteSchedule(writer, dueTime, period, ttl, data, callback)));
        return SendAndDisposeAsync(request, cancellationToken);
    }

    /// <summary><c>DELETE /v1.0/actors/{type}/{id}/timers/{name}</c> (daprd answers 204 even for an unknown timer).</summary>
    public Task UnregisterActorTimerAsync(string actorType, string actorId, string timerName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(timerName);
        return SendAndDisposeAsync(
            NewRequest(HttpMethod.Delete, ActorPath(actorType, actorId) + "/timers/" + DaprUrl.Segment(timerName)), cancellationToken);
    }

    private static string ActorPath(string actorType, string actorId)
    {
        ArgumentException.ThrowIfNullOrEmpty(actorType);
        ArgumentException.ThrowIfNullOrEmpty(actorId);
        return $"/v1.0/actors/{DaprUrl.Segment(actorType)}/{DaprUrl.Segment(actorId)}";
    }

    private static void WriteSchedule(Utf8JsonWriter writer, TimeSpan dueTime, TimeSpan? period, TimeSpan? ttl,
        ReadOnlyMemory<byte> data, string? callback)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        writer.WriteStartObject();
        writer.WriteString("dueTime", GoDuration.Format(dueTime));
        // An infinite period is the SDK's "never repeat"; daprd's form of that is no period at all.
        if (period is { } p && p != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, TimeSpan.Zero, nameof(period));
            writer.WriteString("period", GoDuration.Format(p));
        }

        if (ttl is { } t)
        {
            writer.WriteString("ttl", GoDuration.Format(t));
        }

        if (callback is not null)
        {
            writer.WriteString("callback", callback);
        }

        if (!data.IsEmpty)
        {
            writer.WritePropertyName("data");
            writer.WriteRawValue(data.Span);
        }

        writer.WriteEndObject();
    }
}

/// <summary>One operation of an actor state transaction; <see cref="Value"/> is raw UTF-8 JSON (upserts only).</summary>
public sealed record ActorStateOperation(
    StateOperationType OperationType,
    string Key,
    ReadOnlyMemory<byte> Value = default,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>A stored actor state value (raw JSON) and, for stores that report it, when it expires.</summary>
public sealed record ActorStateResponse(ReadOnlyMemory<byte> Data, DateTimeOffset? TtlExpireTime);

/// <summary>
/// A reminder as daprd reports it. <see cref="DueTime"/> and <see cref="Period"/> are daprd's strings: in scheduler mode
/// (1.15+) the period reads like <c>@every 5s</c>; <see cref="GoDuration.TryParse"/> reads both forms.
/// </summary>
public sealed record ActorReminderInfo(string Name, string DueTime, string Period, ReadOnlyMemory<byte> Data);

internal static class ActorReentrancyContext
{
    private static readonly AsyncLocal<string?> Current = new();

    public static string? CurrentId
    {
        get => Current.Value;
        set => Current.Value = value;
    }
}
