namespace DaprChat.Chat.Realtime;

/// <summary>A per-socket flood limit: <paramref name="ratePerSecond"/> sustained, <paramref name="burst"/> at once.</summary>
public sealed class TokenBucket(double ratePerSecond, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    /// <summary>Only the socket's receive loop calls this, so it needs no lock.</summary>
    public bool TryTake()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * ratePerSecond));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
