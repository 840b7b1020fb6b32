namespace LocalDapr.Actors;

/// <summary>A FIFO async mutex: the turn-based lock daprd holds per actor. Waiters give up only when their call is cancelled.</summary>
public sealed class AsyncFifoLock
{
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly Lock _gate = new();
    private bool _held;

    public bool IsHeld
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                return new Releaser(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        // A cancelled waiter stays queued but can no longer be handed the lock; Release skips it.
        using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
        {
            await waiter.Task;
        }

        return new Releaser(this);
    }

    private void Release()
    {
        lock (_gate)
        {
            ReleaseLocked();
        }
    }

    private void ReleaseLocked()
    {
        while (_waiters.TryDequeue(out var next))
        {
            if (next.TrySetResult())
            {
                return;
            }
        }

        _held = false;
    }

    private sealed class Releaser(AsyncFifoLock owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
