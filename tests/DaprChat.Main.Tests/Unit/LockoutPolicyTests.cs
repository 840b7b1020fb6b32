using DaprChat.Main.Accounts;
using DaprChat.Main.Tests.Infrastructure;
using Xunit;

namespace DaprChat.Main.Tests.Unit;

public sealed class LockoutPolicyTests
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly LockoutPolicy _policy = LockoutPolicy.Default;

    private LoginFailures? Fail(LoginFailures? state, int times)
    {
        for (var i = 0; i < times; i++)
        {
            state = _policy.RegisterFailure(state, _time.GetUtcNow());
        }

        return state;
    }

    [Fact]
    public void Four_failures_do_not_lock_and_the_fifth_locks_for_five_minutes()
    {
        var four = Fail(null, 4);
        Assert.False(_policy.IsLocked(four, _time.GetUtcNow()));

        var five = Fail(four, 1);
        Assert.True(_policy.IsLocked(five, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.True(_policy.IsLocked(five, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_policy.IsLocked(five, _time.GetUtcNow()));
    }

    [Fact]
    public void After_a_lock_runs_out_one_more_failure_does_not_lock_again_but_five_do()
    {
        var locked = Fail(null, 5);
        _time.Advance(TimeSpan.FromMinutes(6));

        var once = Fail(locked, 1);
        Assert.False(_policy.IsLocked(once, _time.GetUtcNow()));
        Assert.True(_policy.IsLocked(Fail(once, 4), _time.GetUtcNow()));
    }
}
