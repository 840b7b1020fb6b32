namespace DaprChat.Chat.Tests.Unit.Support;

/// <summary>A clock the test moves by hand; timers still run on real time (only "now" is faked).</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
