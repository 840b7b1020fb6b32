using System.Collections.Concurrent;

namespace DaprChat.Main.Accounts;

/// <summary>
/// Attempts per client address in fixed windows, on this replica. Sized for a campus NAT: it stops floods, while the
/// per-account lockout (in userstore, shared by replicas) is what stops guessing one account's password.
/// </summary>
public sealed class AddressBudget(int permits, TimeSpan window, TimeProvider time)
{
    // Windows of addresses that went quiet are dropped once this many are tracked.
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Takes one attempt for <paramref name="address"/>; when none is left, how long until its window ends.</summary>
    public (bool Allowed, TimeSpan RetryAfter) TryTake(string address)
    {
        var now = time.GetUtcNow();
        if (_windows.Count > SweepThreshold)
        {
            Sweep(now);
        }

        var current = _windows.AddOrUpdate(address,
            _ => new Window(now, 1),
            (_, w) => now >= w.Start + window ? new Window(now, 1) : w with { Used = w.Used + 1 });
        return current.Used <= permits ? (true, TimeSpan.Zero) : (false, current.Start + window - now);
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (address, w) in _windows)
        {
            if (now >= w.Start + window)
            {
                _windows.TryRemove(KeyValuePair.Create(address, w));
            }
        }
    }

    private sealed record Window(DateTimeOffset Start, int Used);
}
