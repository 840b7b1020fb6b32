using DaprChat.Chat.Sessions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DaprChat.Chat.Tests.Unit;

public sealed class PresenceLeasesTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly PresenceLeases _leases;

    public PresenceLeasesTests() => _leases = new PresenceLeases(TimeSpan.FromSeconds(60), _time);

    [Fact]
    public void A_first_socket_brings_a_participant_online_and_a_second_one_does_not_again()
    {
        Assert.True(_leases.Renew("anon_a", "socket-1"));
        Assert.False(_leases.Renew("anon_a", "socket-2"));
        Assert.True(_leases.IsOnline("anon_a"));
        Assert.False(_leases.IsOnline("counselor-b"));
    }

    [Fact]
    public void A_participant_stays_online_until_their_last_socket_closes()
    {
        _leases.Renew("anon_a", "phone");
        _leases.Renew("anon_a", "laptop");

        Assert.False(_leases.Release("anon_a", "phone"));
        Assert.True(_leases.Release("anon_a", "laptop"));
        Assert.False(_leases.IsOnline("anon_a"));
        Assert.False(_leases.Release("anon_a", "laptop"));
    }

    [Fact]
    public void A_lease_nobody_renews_lapses_and_the_sweep_reports_the_participant_offline_once()
    {
        _leases.Renew("anon_a", "socket-on-a-dead-instance");
        _leases.Renew("counselor-b", "socket-that-renews");

        _time.Advance(TimeSpan.FromSeconds(40));
        _leases.Renew("counselor-b", "socket-that-renews");
        _time.Advance(TimeSpan.FromSeconds(21));

        Assert.False(_leases.IsOnline("anon_a"));
        Assert.Equal(["anon_a"], _leases.Sweep());
        Assert.Empty(_leases.Sweep());
        Assert.True(_leases.IsOnline("counselor-b"));
        Assert.False(_leases.IsEmpty);
    }

    [Fact]
    public void Renewing_a_lapsed_lease_brings_the_participant_back_online()
    {
        _leases.Renew("anon_a", "socket-1");
        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.True(_leases.Renew("anon_a", "socket-1"));
    }
}

public sealed class RecentSendsTests
{
    [Fact]
    public void The_window_keeps_the_last_sends_up_to_its_capacity_oldest_first()
    {
        IReadOnlyList<RecentSend> window = [];
        for (var seq = 1; seq <= 5; seq++)
        {
            window = RecentSends.Append(window, new RecentSend($"c-{seq}", seq), capacity: 3);
        }

        Assert.Equal([3L, 4L, 5L], window.Select(s => s.Sequence));
    }

    [Fact]
    public void A_retried_client_id_is_found_with_the_sequence_it_was_stored_under_and_a_forgotten_one_is_not()
    {
        IReadOnlyList<RecentSend> window = [new("c-1", 1), new("c-2", 2), new("c-1", 7)];

        Assert.Equal([1L, 7L], RecentSends.Candidates(window, "c-1"));
        Assert.Empty(RecentSends.Candidates(window, "c-9"));
    }

    [Fact]
    public void A_window_without_room_is_a_mistake()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RecentSends.Append([], new RecentSend("c", 1), capacity: 0));
    }
}
