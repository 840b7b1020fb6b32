using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Chat.Tickets;

/// <summary>
/// main's public ticket keys, by kid. Fetched on first use, refetched in the background when older than
/// <see cref="TicketOptions.JwksRefreshInterval"/> and at once for an unknown kid, but never more than once per
/// <see cref="TicketOptions.UnknownKidRefreshInterval"/>. Concurrent callers share one fetch; a failed fetch keeps the old keys.
/// </summary>
public sealed partial class JwksCache(IJwksSource source, IOptions<TicketOptions> options, TimeProvider time, ILogger<JwksCache> logger) : IDisposable
{
    private sealed record Keys(FrozenDictionary<string, ECDsaSecurityKey> ByKid, DateTimeOffset FetchedAt);

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile Keys? _keys;
    private Task? _refresh;
    private DateTimeOffset? _lastAttempt;

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>The key main signs with under <paramref name="kid"/>, or null when main does not publish it (even after a refetch).</summary>
    public async ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kid);
        var keys = _keys;
        if (keys is null)
        {
            await WaitAsync(StartRefresh(), cancellationToken);
        }
        else if (time.GetUtcNow() - keys.FetchedAt >= options.Value.JwksRefreshInterval)
        {
            // Stale but usable: serve from the old keys while the refresh runs.
            _ = StartRefresh();
        }

        if (Lookup(kid) is { } key)
        {
            return key;
        }

        await WaitAsync(StartRefresh(), cancellationToken);
        return Lookup(kid);
    }

    private ECDsaSecurityKey? Lookup(string kid) => _keys?.ByKid.GetValueOrDefault(kid);

    private static async Task WaitAsync(Task? refresh, CancellationToken cancellationToken)
    {
        if (refresh is not null)
        {
            await refresh.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The running fetch to join, a new one if the last began long enough ago, or null when it is too soon.</summary>
    private Task? StartRefresh()
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            var now = time.GetUtcNow();
            if (_lastAttempt is { } last && now - last < options.Value.UnknownKidRefreshInterval)
            {
                return null;
            }

            _lastAttempt = now;
            // Asynchronous continuations: waiters must not run inline on the thread that finishes the fetch.
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _refresh = done.Task;
        }

        _ = RefreshAsync(done);
        return done.Task;
    }

    private async Task RefreshAsync(TaskCompletionSource done)
    {
        try
        {
            using var timeout = new CancellationTokenSource(options.Value.JwksFetchTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            var set = await source.FetchAsync(linked.Token);
            var byKid = ToKeys(set);
            if (byKid.Count == 0)
            {
                throw new InvalidOperationException("main's JWKS has no usable ES256 key");
            }

            _keys = new Keys(byKid, time.GetUtcNow());
            LogLoaded(string.Join(",", byKid.Keys));
        }
        catch (Exception ex)
        {
            // Whatever went wrong, a best-effort refresh leaves the old keys in place and never faults the shared task.
            LogRefreshFailed(ex, _keys?.ByKid.Count ?? 0);
        }
        finally
        {
            done.SetResult();
        }
    }

    /// <summary>Only EC P-256 signing keys with a kid; anything else in the set is ignored.</summary>
    private FrozenDictionary<string, ECDsaSecurityKey> ToKeys(JsonWebKeySet set)
    {
        var byKid = new Dictionary<string, ECDsaSecurityKey>(StringComparer.Ordinal);
        foreach (var jwk in set.Keys)
        {
            if (jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve || jwk.Crv != JsonWebKeyECTypes.P256 || string.IsNullOrEmpty(jwk.Kid)
                || jwk.Use is { Length: > 0 } and not JsonWebKeyUseNames.Sig || jwk.Alg is { Length: > 0 } and not SecurityAlgorithms.EcdsaSha256)
            {
                continue;
            }

            try
            {
                // ImportParameters checks that the point lies on the curve.
                var ecdsa = ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
                });
                byKid[jwk.Kid] = new ECDsaSecurityKey(ecdsa) { KeyId = jwk.Kid };
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
            {
                LogBadKey(jwk.Kid);
            }
        }

        return byKid.ToFrozenDictionary(StringComparer.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded main's ticket keys: kids [{Kids}]")]
    private partial void LogLoaded(string kids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh main's ticket keys; keeping the {KeyCount} loaded")]
    private partial void LogRefreshFailed(Exception exception, int keyCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unusable key in main's JWKS, kid {Kid}")]
    private partial void LogBadKey(string kid);
}
