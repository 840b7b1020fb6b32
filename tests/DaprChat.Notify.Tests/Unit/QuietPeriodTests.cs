extern alias notify;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using notify::DaprChat.Notify.Push;
using Xunit;

namespace DaprChat.Notify.Tests.Unit;

/// <summary>A store that keeps ETags as daprd's Redis store does: "" writes only if absent, another ETag only if unchanged.</summary>
internal sealed class MemoryMarks : IPushMarks
{
    private readonly ConcurrentDictionary<string, (PushMark Mark, string ETag)> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _version;

    public Task<(PushMark? Mark, string ETag)> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_items.TryGetValue(key, out var item) ? ((PushMark?)item.Mark, item.ETag) : (null, ""));

    public Task<bool> TrySaveAsync(string key, PushMark mark, string etag, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var exists = _items.TryGetValue(key, out var current);
            if ((etag.Length == 0 && exists) || (etag.Length > 0 && (!exists || current.ETag != etag)))
            {
                return Task.FromResult(false);
            }

            _items[key] = (mark, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.FromResult(true);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        _items.TryRemove(key, out _);
        return Task.CompletedTask;
    }
}

public sealed class QuietPeriodTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly MemoryMarks _marks = new();

    private QuietPeriod Quiet() => new(_marks, Options.Create(new PushOptions { QuietPeriod = TimeSpan.FromMinutes(10) }), _time);

    [Fact]
    public async Task A_burst_of_twenty_messages_claims_one_push()
    {
        var quiet = Quiet();
        var claims = 0;
        for (var i = 0; i < 20; i++)
        {
            claims += await quiet.TryClaimAsync("s1", "anon_a", CancellationToken.None) ? 1 : 0;
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(1, claims);
    }

    [Fact]
    public async Task After_the_quiet_period_the_next_message_pushes_again()
    {
        var quiet = Quiet();
        Assert.True(await quiet.TryClaimAsync("s1", "anon_a", CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.False(await quiet.TryClaimAsync("s1", "anon_a", CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await quiet.TryClaimAsync("s1", "anon_a", CancellationToken.None));
    }

    [Fact]
    public async Task Each_recipient_and_session_has_its_own_quiet_period()
    {
        var quiet = Quiet();
        Assert.True(await quiet.TryClaimAsync("s1", "anon_a", CancellationToken.None));
        Assert.True(await quiet.TryClaimAsync("s2", "anon_a", CancellationToken.None));
        Assert.True(await quiet.TryClaimAsync("s1", "counselor-1", CancellationToken.None));
    }

    [Fact]
    public async Task Two_instances_racing_for_the_same_message_claim_it_once()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Quiet().TryClaimAsync("s1", "anon_a", CancellationToken.None))));
        Assert.Single(claims, c => c);
    }

    [Fact]
    public async Task A_released_claim_lets_the_redelivery_push()
    {
        var quiet = Quiet();
        Assert.True(await quiet.TryClaimAsync("s1", "anon_a", CancellationToken.None));
        await quiet.ReleaseAsync("s1", "anon_a", CancellationToken.None);
        Assert.True(await quiet.TryClaimAsync("s1", "anon_a", CancellationToken.None));
    }
}
