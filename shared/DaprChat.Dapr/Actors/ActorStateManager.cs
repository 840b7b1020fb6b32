using System.Text.Json;

namespace DaprChat.Dapr.Actors;

/// <summary>
/// Actor state with a per-turn cache, as in the official SDK: reads hit the sidecar once, writes stay pending until
/// <see cref="SaveStateAsync"/>, which the runtime calls after every successful turn (and the cache is dropped on failure).
/// </summary>
public interface IActorStateManager
{
    /// <summary>Adds a key that must not exist yet; <see cref="InvalidOperationException"/> if it does.</summary>
    Task AddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);

    /// <summary>The value; <see cref="KeyNotFoundException"/> if missing.</summary>
    Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default);

    Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default);

    Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets a value that expires after <paramref name="ttl"/> (<c>metadata.ttlInSeconds</c>). daprd 1.16 only accepts it
    /// with the ActorStateTTL preview feature enabled; otherwise the turn's save fails.
    /// </summary>
    Task SetStateAsync<T>(string stateName, T value, TimeSpan? ttl, CancellationToken cancellationToken = default);

    /// <summary>Removes a key; <see cref="KeyNotFoundException"/> if missing.</summary>
    Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default);

    Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default);

    Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default);

    Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);

    Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, CancellationToken cancellationToken = default);

    /// <summary>Forgets cached values and pending changes.</summary>
    Task ClearCacheAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends the pending changes as one transaction to <c>/v1.0/actors/{type}/{id}/state</c> (nothing when none).</summary>
    Task SaveStateAsync(CancellationToken cancellationToken = default);
}

internal sealed class ActorStateManager(ActorHost host) : IActorStateManager
{
    private enum ChangeKind
    {
        None,
        Add,
        Update,
        Remove,
    }

    private sealed class Entry
    {
        public object? Value;
        public Type DeclaredType = typeof(object);
        public byte[]? Json;
        public ChangeKind Change;
        public long Order;
        public TimeSpan? Ttl;
        public DateTimeOffset? ExpiresAt;

        public bool Expired => ExpiresAt is { } at && at <= DateTimeOffset.UtcNow;
    }

    private readonly Dictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private long _order;

    public async Task AddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var entry = _cache.TryGetValue(stateName, out var cached) ? cached : await LoadAsync(stateName, cancellationToken).ConfigureAwait(false);
        if (entry is not null && entry.Change != ChangeKind.Remove && !entry.Expired)
        {
            throw new InvalidOperationException($"Actor state '{stateName}' already exists");
        }

        Put(stateName, value, entry is null ? ChangeKind.Add : ChangeKind.Update, null);
    }

    public async Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        var result = await TryGetStateAsync<T>(stateName, cancellationToken).ConfigureAwait(false);
        return result.HasValue ? result.Value : throw new KeyNotFoundException($"Actor state '{stateName}' does not exist");
    }

    public async Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var entry = _cache.TryGetValue(stateName, out var cached) ? cached : await LoadAsync(stateName, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.Change == ChangeKind.Remove || entry.Expired)
        {
            return default;
        }

        if (entry.Value is not T)
        {
            // Loaded from the store (or cached under another type): read the JSON as the type asked for.
            entry.Value = JsonSerializer.Deserialize<T>(Serialize(entry), host.JsonSerializerOptions);
            entry.DeclaredType = typeof(T);
        }

        return new ConditionalValue<T>(true, (T)entry.Value!);
    }

    public Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default) =>
        SetStateAsync(stateName, value, null, cancellationToken);

    public Task SetStateAsync<T>(string stateName, T value, TimeSpan? ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        // No read before writing: add and update are both an upsert on the wire.
        var change = _cache.TryGetValue(stateName, out var entry) && entry.Change == ChangeKind.Add ? ChangeKind.Add : ChangeKind.Update;
        Put(stateName, value, change, ttl);
        return Task.CompletedTask;
    }

    public async Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (!await TryRemoveStateAsync(stateName, cancellationToken).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"Actor state '{stateName}' does not exist");
        }
    }

    public async Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var entry = _cache.TryGetValue(stateName, out var cached) ? cached : await LoadAsync(stateName, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.Change == ChangeKind.Remove || entry.Expired)
        {
            return false;
        }

        if (entry.Change == ChangeKind.Add)
        {
            // Never saved: forgetting it is the whole removal.
            _cache.Remove(stateName);
        }
        else
        {
            entry.Change = ChangeKind.Remove;
            entry.Order = ++_order;
        }

        return true;
    }

    public async Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var entry = _cache.TryGetValue(stateName, out var cached) ? cached : await LoadAsync(stateName, cancellationToken).ConfigureAwait(false);
        return entry is not null && entry.Change != ChangeKind.Remove && !entry.Expired;
    }

    public async Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        var existing = await TryGetStateAsync<T>(stateName, cancellationToken).ConfigureAwait(false);
        if (existing.HasValue)
        {
            return existing.Value;
        }

        await SetStateAsync(stateName, value, cancellationToken).ConfigureAwait(false);
        return value;
    }

    public async Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updateValueFactory);
        var existing = await TryGetStateAsync<T>(stateName, cancellationToken).ConfigureAwait(false);
        var value = existing.HasValue ? updateValueFactory(stateName, existing.Value) : addValue;
        await SetStateAsync(stateName, value, cancellationToken).ConfigureAwait(false);
        return value;
    }

    public Task ClearCacheAsync(CancellationToken cancellationToken = default)
    {
        _cache.Clear();
        return Task.CompletedTask;
    }

    public async Task SaveStateAsync(CancellationToken cancellationToken = default)
    {
        var pending = _cache.Where(p => p.Value.Change != ChangeKind.None).OrderBy(p => p.Value.Order).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var operations = pending.Select(p => p.Value.Change == ChangeKind.Remove
            ? new ActorStateOperation(StateOperationType.Delete, p.Key)
            : new ActorStateOperation(StateOperationType.Upsert, p.Key, Serialize(p.Value),
                p.Value.Ttl is { } ttl ? StateMetadata.Ttl(ttl) : null)).ToList();
        await host.DaprClient.ExecuteActorStateTransactionAsync(host.ActorType, host.Id.Id, operations, cancellationToken).ConfigureAwait(false);

        foreach (var (key, entry) in pending)
        {
            if (entry.Change == ChangeKind.Remove)
            {
                _cache.Remove(key);
            }
            else
            {
                entry.Change = ChangeKind.None;
            }
        }
    }

    // Serialised at save time, as the SDK does, so a value changed after SetStateAsync in the same turn is saved as it ends up.
    private byte[] Serialize(Entry entry) =>
        entry.Json ??= JsonSerializer.SerializeToUtf8Bytes(entry.Value, entry.DeclaredType, host.JsonSerializerOptions);

    private void Put<T>(string stateName, T value, ChangeKind change, TimeSpan? ttl)
    {
        if (ttl is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(t, TimeSpan.Zero, nameof(ttl));
        }

        _cache[stateName] = new Entry
        {
            Value = value,
            DeclaredType = typeof(T),
            Change = change,
            Order = ++_order,
            Ttl = ttl,
            ExpiresAt = ttl is { } span ? DateTimeOffset.UtcNow + span : null,
        };
    }

    private async Task<Entry?> LoadAsync(string stateName, CancellationToken cancellationToken)
    {
        var stored = await host.DaprClient.GetActorStateAsync(host.ActorType, host.Id.Id, stateName, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var entry = new Entry { Json = stored.Data.ToArray(), Change = ChangeKind.None, ExpiresAt = stored.TtlExpireTime };
        _cache[stateName] = entry;
        return entry;
    }
}
