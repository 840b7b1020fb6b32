using System.Globalization;
using System.Text.Json;
using Dapr.Client;
using DaprChat.Contracts;
using DaprChat.ServiceDefaults;

namespace DaprChat.Main.Infrastructure;

/// <summary>
/// main's persistence: the <c>userstore</c> state store through the SDK (gRPC to the sidecar). Creation is first-write
/// (a key that exists is never overwritten) and every read-modify-write is guarded by the store's opaque ETag.
/// "No ETag" is the empty string, as the SDK reads a missing key's ETag and as daprd's stores treat it (with
/// first-write concurrency: "only if the key does not exist").
/// </summary>
public sealed class UserStore(DaprClient dapr)
{
    private const string Store = DaprNames.StateStores.Users;
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };
    private const int MaxAttempts = 8;

    public async Task<T?> GetAsync<T>(string key, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<T?>(Store, key, cancellationToken: cancellationToken);

    public async Task<(T? Value, string ETag)> GetWithETagAsync<T>(string key, CancellationToken cancellationToken) =>
        await dapr.GetStateAndETagAsync<T?>(Store, key, cancellationToken: cancellationToken);

    public async Task<IReadOnlyDictionary<string, T>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return new Dictionary<string, T>();
        }

        var items = await dapr.GetBulkStateAsync<T?>(Store, keys, parallelism: null, cancellationToken: cancellationToken);
        return items.Where(i => i.Value is not null).ToDictionary(i => i.Key, i => i.Value!);
    }

    /// <summary>Writes the key only if it does not exist yet; false if it does.</summary>
    public Task<bool> TryCreateAsync<T>(string key, T value, CancellationToken cancellationToken, TimeSpan? ttl = null) =>
        dapr.TrySaveStateAsync(Store, key, value, "", FirstWrite, Ttl(ttl), cancellationToken);

    /// <summary>Writes the key if it still has <paramref name="etag"/> (or, with "", does not exist yet).</summary>
    public Task<bool> TryReplaceAsync<T>(string key, T value, string etag, CancellationToken cancellationToken, TimeSpan? ttl = null) =>
        dapr.TrySaveStateAsync(Store, key, value, etag, FirstWrite, Ttl(ttl), cancellationToken);

    public Task SaveAsync<T>(string key, T value, CancellationToken cancellationToken, TimeSpan? ttl = null) =>
        dapr.SaveStateAsync(Store, key, value, metadata: Ttl(ttl), cancellationToken: cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        dapr.DeleteStateAsync(Store, key, cancellationToken: cancellationToken);

    /// <summary>A transaction step that creates the key only if it does not exist yet.</summary>
    public StateTransactionRequest Create<T>(string key, T value) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, dapr.JsonSerializerOptions), StateOperationType.Upsert, options: FirstWrite);

    /// <summary>A transaction step that replaces the key only if it still has <paramref name="etag"/>.</summary>
    public StateTransactionRequest Replace<T>(string key, T value, string etag) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, dapr.JsonSerializerOptions), StateOperationType.Upsert, etag, options: FirstWrite);

    public static StateTransactionRequest Delete(string key) => new(key, null, StateOperationType.Delete);

    public Task TransactAsync(IReadOnlyList<StateTransactionRequest> operations, CancellationToken cancellationToken) =>
        dapr.ExecuteStateTransactionAsync(Store, operations, cancellationToken: cancellationToken);

    /// <summary>
    /// Optimistic read-modify-write: <paramref name="change"/> sees the current value (default when missing) and returns
    /// the new value or a problem; a concurrent writer makes it run again on fresh data.
    /// </summary>
    public Task<Outcome<T>> UpdateAsync<T>(string key, Func<T?, Outcome<T>> change, CancellationToken cancellationToken, TimeSpan? ttl = null) =>
        UpdateAsync<T>(key, current => Task.FromResult(change(current)), cancellationToken, ttl);

    /// <summary>As the synchronous overload, for changes that must read other keys first.</summary>
    public async Task<Outcome<T>> UpdateAsync<T>(string key, Func<T?, Task<Outcome<T>>> change, CancellationToken cancellationToken, TimeSpan? ttl = null)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (current, etag) = await GetWithETagAsync<T>(key, cancellationToken);
            var next = await change(current);
            if (next.Problem is not null)
            {
                return next;
            }

            if (await TryReplaceAsync(key, next.Value, etag, cancellationToken, ttl))
            {
                return next;
            }
        }

        return new Problem(StatusCodes.Status409Conflict, "concurrent_update", "Too many concurrent changes, try again");
    }

    private static Dictionary<string, string>? Ttl(TimeSpan? ttl) => ttl is { } t
        ? new() { ["ttlInSeconds"] = Math.Max(1, (long)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture) }
        : null;
}
