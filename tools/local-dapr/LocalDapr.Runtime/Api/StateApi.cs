using System.Globalization;
using Grpc.Core;
using LocalDapr.Components;
using LocalDapr.State;

namespace LocalDapr.Api;

/// <summary>One item to save, as either front end parsed it: the key as the app named it and the value's bytes.</summary>
public sealed record StateWrite(string Key, byte[] Value, string? ETag, Concurrency Concurrency, IReadOnlyDictionary<string, string> Metadata);

/// <summary>One key to delete, with its optional ETag and concurrency.</summary>
public sealed record StateDelete(string Key, string? ETag, Concurrency Concurrency);

/// <summary>One operation of a transaction: exactly one of Write or Delete.</summary>
public sealed record StateOperation(StateWrite? Write, StateDelete? Delete);

/// <summary>
/// The state building block behind both front ends: key prefixes, key checks, TTL metadata, and daprd's errors. Both
/// APIs read and write the same store instances, so what one writes the other reads.
/// </summary>
public sealed class StateApi(string appId, ComponentSet components)
{
    public StateStoreComponent Store(string name)
    {
        if (components.StateStores.Count == 0)
        {
            throw DaprError.StateStoresNotConfigured(name, appId);
        }

        return components.StateStores.TryGetValue(name, out var store) ? store : throw DaprError.StateStoreNotFound(name, appId);
    }

    public async Task<StateItem?> GetAsync(string storeName, string key, CancellationToken cancellationToken)
    {
        var store = Store(storeName);
        var storedKey = store.Key(CheckKey(key));
        try
        {
            return await store.Store.GetAsync(storedKey, cancellationToken);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_GET", $"fail to get {key} from state store {storeName}: {ex.Message}");
        }
    }

    public async Task<IReadOnlyList<StateItem?>> BulkGetAsync(string storeName, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var store = Store(storeName);
        foreach (var key in keys)
        {
            CheckKey(key);
        }

        try
        {
            return await store.Store.BulkGetAsync(keys.Select(store.Key).ToList(), cancellationToken);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_BULK_GET", $"failed getting state in bulk from state store {storeName}: {ex.Message}");
        }
    }

    public async Task SaveAsync(string storeName, IReadOnlyList<StateWrite> items, CancellationToken cancellationToken)
    {
        var store = Store(storeName);
        var requests = items.Select(i => ToSetRequest(i, store, "ERR_STATE_SAVE", storeName)).ToList();
        if (requests.Count == 0)
        {
            return;
        }

        try
        {
            if (requests.Count == 1)
            {
                await store.Store.SetAsync(requests[0], cancellationToken);
            }
            else
            {
                await store.Store.MultiAsync(requests.Select(r => new TransactionOperation(r, null)).ToList(), cancellationToken);
            }
        }
        catch (ETagException ex)
        {
            throw ETagError(ex, "ERR_STATE_SAVE", $"failed saving state in state store {storeName}: {ex.Message}");
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_SAVE", $"failed saving state in state store {storeName}: {ex.Message}");
        }
    }

    public async Task DeleteAsync(string storeName, StateDelete delete, CancellationToken cancellationToken)
    {
        var store = Store(storeName);
        try
        {
            await store.Store.DeleteAsync(new DeleteRequest(store.Key(CheckKey(delete.Key)), delete.ETag, delete.Concurrency), cancellationToken);
        }
        catch (ETagException ex)
        {
            throw ETagError(ex, "ERR_STATE_DELETE", $"failed deleting state with key {delete.Key}: {ex.Message}");
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            throw new DaprError(500, "ERR_STATE_DELETE", $"failed deleting state with key {delete.Key}: {ex.Message}");
        }
    }

    /// <summary>
    /// gRPC's DeleteBulkState: contrib's default bulk delete runs every delete on its own, so one ETag conflict does not
    /// stop the others; the first failure is reported once all were tried.
    /// </summary>
    public async Task DeleteBulkAsync(string storeName, IReadOnlyList<StateDelete> deletes, CancellationToken cancellationToken)
    {
        Store(storeName);
        DaprError? first = null;
        foreach (var delete in deletes)
        {
            try
            {
                await DeleteAsync(storeName, delete, cancellationToken);
            }
            catch (DaprError error)
            {
                first ??= new DaprError(error.Status, "ERR_STATE_BULK_DELETE", $"failed deleting state in state store {storeName}: {error.Message}");
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    public async Task TransactAsync(string storeName, IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        var store = Store(storeName);
        if (!store.Store.Features.Contains("TRANSACTIONAL"))
        {
            throw new DaprError(500, "ERR_STATE_STORE_NOT_SUPPORTED", $"state store {storeName} doesn't support transaction", grpcCode: StatusCode.Unimplemented)
            {
                GrpcMessage = $"state store {storeName} doesn't support transactions",
                GrpcDetails = [GrpcErrorDetails.ResourceInfo("state", storeName, ""), GrpcErrorDetails.ErrorInfo("DAPR_STATE_TRANSACTIONS_NOT_SUPPORTED")],
            };
        }

        var ops = operations.Select(op => op.Write is { } write
            ? new TransactionOperation(ToSetRequest(write, store, "ERR_STATE_TRANSACTION", storeName), null)
            : new TransactionOperation(null, new DeleteRequest(store.Key(CheckKey(op.Delete!.Key)), op.Delete.ETag, op.Delete.Concurrency))).ToList();
        if (ops.Count == 0)
        {
            return;
        }

        try
        {
            await store.Store.MultiAsync(ops, cancellationToken);
        }
        catch (Exception ex) when (ex is not DaprError and not OperationCanceledException)
        {
            // daprd answers every transaction failure, ETag conflicts included, with 500 (gRPC Internal).
            throw new DaprError(500, "ERR_STATE_TRANSACTION", "error while executing state transaction: " + ex.Message);
        }
    }

    /// <summary>daprd's getStateErrorCode: a mismatch is 409 / Aborted, an invalid ETag 400 / InvalidArgument.</summary>
    private static DaprError ETagError(ETagException ex, string errorCode, string message) =>
        new(ex.Kind == ETagErrorKind.Mismatch ? 409 : 400, errorCode, message);

    private static SetRequest ToSetRequest(StateWrite item, StateStoreComponent store, string errorCode, string storeName) =>
        new(store.Key(CheckKey(item.Key)), item.Value, item.ETag, item.Concurrency, ParseTtl(item.Metadata, errorCode, storeName));

    public static string CheckKey(string key)
    {
        if (key.Contains(StateStoreComponent.Separator, StringComparison.Ordinal))
        {
            throw new DaprError(400, "ERR_MALFORMED_REQUEST", $"input key/keyPrefix '{key}' can't contain '||'",
                [DaprError.ErrorInfo("DAPR_STATE_ILLEGAL_KEY")]);
        }

        return key;
    }

    public static int? ParseTtl(IReadOnlyDictionary<string, string> metadata, string errorCode, string storeName)
    {
        if (!metadata.TryGetValue("ttlInSeconds", out var raw))
        {
            return null;
        }

        // components-contrib ParseTTL: an integer from -1 to MaxInt32.
        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ttl) || ttl < -1)
        {
            throw new DaprError(500, errorCode, $"failed saving state in state store {storeName}: incorrect value for metadata 'ttlInSeconds': {raw}");
        }

        return ttl;
    }

    public static string ExpireTimeText(DateTimeOffset expires) =>
        expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
