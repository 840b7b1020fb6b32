namespace LocalDapr.Actors;

/// <summary>
/// Fires reminders like daprd 1.16's Scheduler: at least once, with 4 attempts about 1 s apart when the app fails,
/// routed through placement to whichever sidecar hosts the actor now. Each reminder waits on its own timer.
/// </summary>
public sealed class ReminderScheduler(IActorDirectory directory, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private const int Attempts = 4;
    private readonly Dictionary<string, Scheduled> _scheduled = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _shutdown = new();

    public async Task CreateAsync(Reminder reminder, IReminderStore store, CancellationToken cancellationToken)
    {
        await store.SaveAsync(reminder, cancellationToken);
        Schedule(reminder, store);
    }

    public Reminder? Get(string key)
    {
        lock (_gate)
        {
            return _scheduled.TryGetValue(key, out var s) ? s.Current : null;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Scheduled? removed;
        lock (_gate)
        {
            if (_scheduled.Remove(key, out removed))
            {
                removed.Deleted = true;
            }
        }

        if (removed is not null)
        {
            await removed.Cancel.CancelAsync();
            await removed.Store.DeleteAsync(removed.Current, cancellationToken);
        }
    }

    /// <summary>Picks up the reminders an app registered before the runtime last stopped.</summary>
    public async Task LoadAsync(string appId, IReminderStore store, CancellationToken cancellationToken)
    {
        foreach (var reminder in await store.LoadAsync(appId, cancellationToken))
        {
            lock (_gate)
            {
                if (_scheduled.ContainsKey(reminder.Key))
                {
                    continue;
                }
            }

            Schedule(reminder, store);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _scheduled.Count;
            }
        }
    }

    private void Schedule(Reminder reminder, IReminderStore store)
    {
        var scheduled = new Scheduled(reminder, store, CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token));
        Scheduled? previous;
        lock (_gate)
        {
            _scheduled.Remove(reminder.Key, out previous);
            _scheduled[reminder.Key] = scheduled;
        }

        if (previous is not null)
        {
            previous.Deleted = true;
            previous.Cancel.Cancel();
        }

        scheduled.Loop = Task.Run(() => RunAsync(scheduled));
    }

    private async Task RunAsync(Scheduled scheduled)
    {
        var token = scheduled.Cancel.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var reminder = scheduled.Current;
                var wait = reminder.NextDue - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, token);
                }

                if (reminder.ExpiresAt is { } expires && expires <= time.GetUtcNow())
                {
                    await FinishAsync(scheduled);
                    return;
                }

                if (await scheduled.Store.TryClaimAsync(reminder, token))
                {
                    await FireAsync(reminder, token);
                }

                if (scheduled.Deleted)
                {
                    return;
                }

                var next = Advance(reminder);
                if (next is null)
                {
                    await FinishAsync(scheduled);
                    return;
                }

                lock (_gate)
                {
                    if (scheduled.Deleted)
                    {
                        return;
                    }

                    scheduled.Current = next;
                }

                await scheduled.Store.SaveAsync(next, _shutdown.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            logger.ReminderStopped(ex, scheduled.Current.Name, scheduled.Current.ActorType, scheduled.Current.ActorId);
        }
    }

    private async Task FireAsync(Reminder reminder, CancellationToken token)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            // The app may unregister this reminder from inside the callback, so the call itself is not cancelled by that.
            var host = await directory.WaitForHostAsync(reminder.AppId, reminder.ActorType, reminder.ActorId, token);
            try
            {
                await host.InvokeAsync(reminder.ActorType, reminder.ActorId, "remind/" + reminder.Name, reminder.CallbackBody(), "application/json", [], "", _shutdown.Token);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.ReminderFailed(reminder.Name, reminder.ActorType, reminder.ActorId, attempt, Attempts, ex.Message);
            }

            if (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, token);
            }
        }
    }

    private Reminder? Advance(Reminder reminder)
    {
        if (reminder.Period is not { } period || period <= TimeSpan.Zero)
        {
            return null;
        }

        var remaining = reminder.RemainingRepetitions - 1;
        if (remaining is <= 0)
        {
            return null;
        }

        var next = reminder.NextDue + period;
        var now = time.GetUtcNow();
        if (next < now)
        {
            next = now;
        }

        if (reminder.ExpiresAt is { } expires && next > expires)
        {
            return null;
        }

        return reminder with { NextDue = next, RemainingRepetitions = remaining };
    }

    private async Task FinishAsync(Scheduled scheduled)
    {
        lock (_gate)
        {
            if (scheduled.Deleted)
            {
                return;
            }

            scheduled.Deleted = true;
            _scheduled.Remove(scheduled.Current.Key);
        }

        await scheduled.Store.DeleteAsync(scheduled.Current, _shutdown.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        List<Task> loops;
        lock (_gate)
        {
            loops = _scheduled.Values.Select(s => s.Loop).OfType<Task>().ToList();
        }

        await Task.WhenAll(loops);
        _shutdown.Dispose();
    }

    private sealed class Scheduled(Reminder reminder, IReminderStore store, CancellationTokenSource cancel)
    {
        public Reminder Current { get; set; } = reminder;
        public IReminderStore Store { get; } = store;
        public CancellationTokenSource Cancel { get; } = cancel;
        public Task? Loop { get; set; }
        public volatile bool Deleted;
    }
}

/// <summary>Placement as seen by the scheduler and by callers: which sidecar hosts an actor now.</summary>
public interface IActorDirectory
{
    Task<ActorHost> WaitForHostAsync(string? appId, string actorType, string actorId, CancellationToken cancellationToken);
}
