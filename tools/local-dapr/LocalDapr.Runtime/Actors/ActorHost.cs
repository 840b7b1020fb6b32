using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Api;
using LocalDapr.Hosting;

namespace LocalDapr.Actors;

/// <summary>The reply of an actor method, returned to the caller as the app sent it.</summary>
public sealed record ActorCallResult(int Status, byte[] Body, string? ContentType, IReadOnlyList<KeyValuePair<string, string[]>> Headers);

/// <summary>
/// The actors hosted behind one sidecar: the active-actor table, the per-actor FIFO turn lock that method calls,
/// reminders and timers share, the daprd 200-only rule, timers, and idle deactivation.
/// </summary>
public sealed class ActorHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ActiveActor> _active = new(StringComparer.Ordinal);
    private readonly AppChannel _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _idleLoop;

    public ActorHost(string appId, string instanceId, ActorConfig config, AppChannel channel, TimeProvider time, ILogger logger)
    {
        AppId = appId;
        InstanceId = instanceId;
        Config = config;
        _channel = channel;
        _time = time;
        _logger = logger;
        _idleLoop = Task.Run(IdleLoopAsync);
    }

    public string AppId { get; }
    public string InstanceId { get; }
    public ActorConfig Config { get; }

    public bool Hosts(string actorType) => Config.Entities.Contains(actorType, StringComparer.Ordinal);

    public bool IsActive(string actorType, string actorId) => _active.ContainsKey(Key(actorType, actorId));

    public int ActiveCount(string actorType) => _active.Values.Count(a => a.Type == actorType);

    public async Task<ActorCallResult> InvokeAsync(
        string actorType, string actorId, string method, byte[] body, string? contentType,
        IReadOnlyList<KeyValuePair<string, string[]>> headers, string query, CancellationToken cancellationToken)
    {
        var actor = _active.GetOrAdd(Key(actorType, actorId), _ => new ActiveActor(actorType, actorId));
        using (await actor.Lock.AcquireAsync(cancellationToken))
        {
            if (actor.Deactivated)
            {
                // Deactivated while this call waited for its turn: start a fresh activation.
                return await InvokeAsync(actorType, actorId, method, body, contentType, headers, query, cancellationToken);
            }

            actor.Touch(_time);
            try
            {
                return await CallAppAsync(actorType, actorId, method, body, contentType, headers, query, cancellationToken);
            }
            finally
            {
                actor.Touch(_time);
            }
        }
    }

    private async Task<ActorCallResult> CallAppAsync(
        string actorType, string actorId, string method, byte[] body, string? contentType,
        IReadOnlyList<KeyValuePair<string, string[]>> headers, string query, CancellationToken cancellationToken)
    {
        var path = $"/actors/{Uri.EscapeDataString(actorType)}/{Uri.EscapeDataString(actorId)}/method/{EscapeMethod(method)}{query}";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        AppChannel.CopyHeaders(headers, request);
        HttpResponseMessage response;
        try
        {
            response = await _channel.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new DaprError(500, "ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: error from actor service: {ex.Message}");
        }

        using (response)
        {
            var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var status = (int)response.StatusCode;
            var passthrough = response.Headers.Contains("X-DaprErrorResponseHeader");
            if (status != 200 && !passthrough)
            {
                throw new DaprError(500, "ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: error from actor service: ({status}) {Encoding.UTF8.GetString(responseBody)}");
            }

            var outHeaders = response.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray())).ToList();
            return new ActorCallResult(status, responseBody, response.Content.Headers.ContentType?.ToString(), outHeaders);
        }
    }

    public Task CreateTimerAsync(string actorType, string actorId, string name, TimerSpec spec)
    {
        if (!Hosts(actorType))
        {
            throw new DaprError(500, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: can't create timer for actor {actorType}||{actorId}: actor type not registered");
        }

        // daprd keeps timers with the active actor; creating one activates it.
        var actor = _active.GetOrAdd(Key(actorType, actorId), _ => new ActiveActor(actorType, actorId));
        actor.Touch(_time);
        var timer = new ActorTimer(name, spec);
        if (actor.Timers.TryGetValue(name, out var old))
        {
            old.Dispose();
        }

        actor.Timers[name] = timer;
        timer.Start(_time, () => FireTimerAsync(actor, timer));
        return Task.CompletedTask;
    }

    public void DeleteTimer(string actorType, string actorId, string name)
    {
        if (_active.TryGetValue(Key(actorType, actorId), out var actor) && actor.Timers.TryRemove(name, out var timer))
        {
            timer.Dispose();
        }
    }

    private async Task FireTimerAsync(ActiveActor actor, ActorTimer timer)
    {
        try
        {
            var body = new JsonObject();
            if (timer.Spec.Data is { } data)
            {
                body["data"] = JsonNode.Parse(data);
            }

            body["callback"] = timer.Spec.Callback ?? "";
            body["dueTime"] = timer.Spec.DueTimeText;
            body["period"] = timer.Spec.PeriodText;
            await InvokeAsync(actor.Type, actor.Id, "timer/" + timer.Name, JsonSerializer.SerializeToUtf8Bytes(body), "application/json", [], "", _stop.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // daprd logs failing timer callbacks and keeps ticking.
            _logger.TimerFailed(timer.Name, actor.Type, actor.Id, ex.Message);
        }
    }

    private async Task IdleLoopAsync()
    {
        var token = _stop.Token;
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(Config.Entities.Select(Config.IdleTimeout).DefaultIfEmpty(TimeSpan.FromSeconds(10)).Min().TotalMilliseconds / 4, 100, 5000));
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, token);
                var now = _time.GetUtcNow();
                foreach (var actor in _active.Values)
                {
                    if (now - actor.LastUsed >= Config.IdleTimeout(actor.Type) && !actor.Lock.IsHeld)
                    {
                        await DeactivateAsync(actor, token);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeactivateAsync(ActiveActor actor, CancellationToken cancellationToken)
    {
        using (await actor.Lock.AcquireAsync(cancellationToken))
        {
            if (actor.Deactivated || _time.GetUtcNow() - actor.LastUsed < Config.IdleTimeout(actor.Type))
            {
                return;
            }

            actor.Deactivated = true;
            _active.TryRemove(Key(actor.Type, actor.Id), out _);
            actor.DisposeTimers();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, $"/actors/{Uri.EscapeDataString(actor.Type)}/{Uri.EscapeDataString(actor.Id)}");
                using var response = await _channel.SendAsync(request, cancellationToken);
                if ((int)response.StatusCode != 200)
                {
                    _logger.DeactivationAnswered(actor.Type, actor.Id, (int)response.StatusCode);
                }
            }
            catch (HttpRequestException ex)
            {
                _logger.DeactivationFailed(actor.Type, actor.Id, ex.Message);
            }
        }
    }

    private static string Key(string type, string id) => type + "||" + id;

    private static string EscapeMethod(string method) => string.Join('/', method.Split('/').Select(Uri.EscapeDataString));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _idleLoop;
        foreach (var actor in _active.Values)
        {
            actor.DisposeTimers();
        }

        _active.Clear();
        _stop.Dispose();
    }

    private sealed class ActiveActor(string type, string id)
    {
        private long _lastUsedTicks;

        public string Type { get; } = type;
        public string Id { get; } = id;
        public AsyncFifoLock Lock { get; } = new();
        public ConcurrentDictionary<string, ActorTimer> Timers { get; } = new(StringComparer.Ordinal);
        public bool Deactivated { get; set; }

        public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

        public void Touch(TimeProvider time) => Interlocked.Exchange(ref _lastUsedTicks, time.GetUtcNow().UtcTicks);

        public void DisposeTimers()
        {
            foreach (var timer in Timers.Values)
            {
                timer.Dispose();
            }

            Timers.Clear();
        }
    }
}

/// <summary>A timer as registered: when it first fires, how often, how many times, and what it carries.</summary>
public sealed record TimerSpec(string? Data, string? Callback, string DueTimeText, string PeriodText, DateTimeOffset FirstDue, TimeSpan? Period, int? Repetitions, DateTimeOffset? ExpiresAt);

internal sealed class ActorTimer(string name, TimerSpec spec) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public string Name { get; } = name;
    public TimerSpec Spec { get; } = spec;

    public void Start(TimeProvider time, Func<Task> fire) => _ = Task.Run(async () =>
    {
        var token = _stop.Token;
        var due = Spec.FirstDue;
        var remaining = Spec.Repetitions;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, token);
                }

                if (Spec.ExpiresAt is { } expires && time.GetUtcNow() >= expires)
                {
                    return;
                }

                await fire();
                if (Spec.Period is not { } period || period <= TimeSpan.Zero || --remaining == 0)
                {
                    return;
                }

                due += period;
            }
        }
        catch (OperationCanceledException)
        {
        }
    });

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
