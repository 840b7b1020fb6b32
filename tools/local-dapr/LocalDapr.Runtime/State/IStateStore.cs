namespace LocalDapr.State;

/// <summary>Unspecified differs from an explicit last-write: state.redis skips the ETag check only for the latter.</summary>
public enum Concurrency
{
    Unspecified,
    LastWrite,
    FirstWrite,
}

/// <summary>A stored value: the JSON bytes as saved, the ETag, and the expiry when the store reports it.</summary>
public sealed record StateItem(byte[] Data, string? ETag, DateTimeOffset? ExpireTime);

public sealed record SetRequest(string Key, byte[] Value, string? ETag, Concurrency Concurrency, int? TtlSeconds);

public sealed record DeleteRequest(string Key, string? ETag, Concurrency Concurrency);

/// <summary>One operation of a transaction: exactly one of Set or Delete.</summary>
public sealed record TransactionOperation(SetRequest? Set, DeleteRequest? Delete)
{
    public string Key => Set?.Key ?? Delete!.Key;
}

public enum ETagErrorKind
{
    Mismatch,
    Invalid,
}

/// <summary>components-contrib's state.ETagError: mismatch → 409, invalid → 400 at the HTTP layer.</summary>
public sealed class ETagException(ETagErrorKind kind, string message) : Exception(message)
{
    public ETagErrorKind Kind { get; } = kind;

    public static ETagException Mismatch(string detail) => new(ETagErrorKind.Mismatch, "possible etag mismatch. error from state store: " + detail);

    public static ETagException Invalid(string detail) => new(ETagErrorKind.Invalid, "invalid etag value: " + detail);
}

/// <summary>A state store component (keys arrive already prefixed by the sidecar).</summary>
public interface IStateStore
{
    IReadOnlyList<string> Features { get; }

    Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken);

    Task<IReadOnlyList<StateItem?>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    Task SetAsync(SetRequest request, CancellationToken cancellationToken);

    Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken);

    /// <summary>All or nothing: an ETag failure in any operation applies none of them.</summary>
    Task MultiAsync(IReadOnlyList<TransactionOperation> operations, CancellationToken cancellationToken);
}
