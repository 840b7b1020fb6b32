namespace LocalDapr.State;

/// <summary>
/// state.in-memory as components-contrib implements it: UUID ETags, TTL (0 or negative = no expiry),
/// first-write refused for an existing key without an ETag. One instance is shared by every sidecar of the process.
/// </summary>
public sealed class InMemoryStateStore : IStateStore, IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;

    public InMemoryStateStore(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _sweeper = _time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public IReadOnlyList<string> Features { get; } = ["ETAG", "TRANSACTIONAL", "TTL", "DELETE_WITH_PREFIX", "ACTOR"];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Read(key));
        }
    }

    public Task<IReadOnlyList<StateItem?>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StateItem?>>(keys.Select(Read).ToList());
        }
    }

    public Task SetAsync(SetRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ValidateSet(request);
            ApplySet(request);
        }

        return Task.CompletedTask;
    }

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ValidateDelete(request);
            _entries.Remove(request.Key);
        }

        return Task.CompletedTask;
    }

    public Task MultiAsync(IReadOnlyList<TransactionOperation> operations, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var op in operations)
            {
                if (op.Set is { } set)
                {
                    ValidateSet(set);
                }
                else
                {
                    ValidateDelete(op.Delete!);
                }
            }

            foreach (var op in operations)
            {
                if (op.Set is { } set)
                {
                    ApplySet(set);
                }
                else
                {
                    _entries.Remove(op.Delete!.Key);
                }
            }
        }

        return Task.CompletedTask;
    }

    private StateItem? Read(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.ExpireAt is { } at && at <= _time.GetUtcNow())
        {
            _entries.Remove(key);
            return null;
        }

        return new StateItem(entry.Data, entry.ETag, entry.ExpireAt);
    }

    private void ValidateSet(SetRequest request)
    {
        var existing = Read(request.Key);
        if (request.ETag is { Length: > 0 } etag)
        {
            if (existing is null)
            {
                throw ETagException.Mismatch("state not exist or expired for key=" + request.Key);
            }

            if (existing.ETag != etag)
            {
                throw ETagException.Mismatch("etag does not match for key=" + request.Key);
            }
        }
        else if (request.Concurrency == Concurrency.FirstWrite && existing is not null)
        {
            throw ETagException.Mismatch("key already exists for key=" + request.Key);
        }
    }

    private void ValidateDelete(DeleteRequest request)
    {
        if (request.ETag is null)
        {
            return;
        }

        var existing = Read(request.Key);
        if (existing is null)
        {
            throw ETagException.Mismatch("state not exist or expired for key=" + request.Key);
        }

        if (existing.ETag != request.ETag)
        {
            throw ETagException.Mismatch("etag does not match for key=" + request.Key);
        }
    }

    private void ApplySet(SetRequest request)
    {
        DateTimeOffset? expireAt = request.TtlSeconds is > 0 ? _time.GetUtcNow().AddSeconds(request.TtlSeconds.Value) : null;
        _entries[request.Key] = new Entry(request.Value, Guid.NewGuid().ToString(), expireAt);
    }

    private void Sweep()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var expired = _entries.Where(e => e.Value.ExpireAt is { } at && at <= now).Select(e => e.Key).ToList();
            foreach (var key in expired)
            {
                _entries.Remove(key);
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private sealed record Entry(byte[] Data, string ETag, DateTimeOffset? ExpireAt);
}
