using DaprChat.Main.Sessions;
using Xunit;

namespace DaprChat.Main.Tests.Unit;

public sealed class SessionRulesTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static SessionRecord Pending() => new("s1", "anon_x", "Calm Fox", "c1", "Dr C", "counselor", SessionStatus.Pending,
        Created, Created.AddMinutes(2), Created.AddHours(8), null, null, null);

    [Fact]
    public void A_pending_request_stays_pending_until_its_deadline_and_then_times_out()
    {
        Assert.Equal(SessionStatus.Pending, SessionRules.Evaluate(Pending(), Created.AddMinutes(2).AddTicks(-1)).Status);
        var timedOut = SessionRules.Evaluate(Pending(), Created.AddMinutes(2));
        Assert.Equal(SessionStatus.TimedOut, timedOut.Status);
        Assert.Equal(Created.AddMinutes(2), timedOut.ClosedAt);
    }

    [Fact]
    public void Joining_activates_a_pending_request_and_rejoining_an_active_one_changes_nothing()
    {
        var joined = SessionRules.Join(Pending(), Created.AddMinutes(1)).Value!;
        Assert.Equal(SessionStatus.Active, joined.Status);
        Assert.Equal(Created.AddMinutes(1), joined.JoinedAt);
        Assert.Equal(joined, SessionRules.Join(joined, Created.AddMinutes(3)).Value);
    }

    [Fact]
    public void Joining_or_declining_after_the_deadline_is_refused_as_closed()
    {
        Assert.Equal("session_closed", SessionRules.Join(Pending(), Created.AddMinutes(3)).Problem!.Code);
        Assert.Equal("session_closed", SessionRules.Decline(Pending(), Created.AddMinutes(3)).Problem!.Code);
    }

    [Fact]
    public void Only_a_pending_request_can_be_declined()
    {
        Assert.Equal(SessionStatus.Declined, SessionRules.Decline(Pending(), Created.AddMinutes(1)).Value!.Status);
        var active = SessionRules.Join(Pending(), Created.AddMinutes(1)).Value!;
        Assert.NotNull(SessionRules.Decline(active, Created.AddMinutes(1)).Problem);
    }

    [Fact]
    public void An_active_session_expires_at_its_end_and_ending_it_twice_is_harmless()
    {
        var active = SessionRules.Join(Pending(), Created.AddMinutes(1)).Value!;
        Assert.Equal(SessionStatus.Expired, SessionRules.Evaluate(active, Created.AddHours(8)).Status);

        var ended = SessionRules.End(active, "anon_x", Created.AddHours(1)).Value!;
        Assert.Equal(SessionStatus.Ended, ended.Status);
        Assert.Equal("anon_x", ended.ClosedBy);
        Assert.Equal(ended, SessionRules.End(ended, "c1", Created.AddHours(2)).Value);
        Assert.Equal("session_closed", SessionRules.End(SessionRules.Evaluate(active, Created.AddHours(9)), "c1", Created.AddHours(9)).Problem!.Code);
    }

    [Fact]
    public void Pseudonyms_are_anon_plus_random_and_aliases_are_two_friendly_words()
    {
        var pseudonyms = Enumerable.Range(0, 100).Select(_ => Pseudonyms.NewPseudonym()).ToList();
        Assert.All(pseudonyms, p => Assert.Matches("^anon_[a-z2-7]{16}$", p));
        Assert.Equal(100, pseudonyms.Distinct().Count());
        Assert.Matches("^[A-Z][a-z]+ [A-Z][a-z]+$", Pseudonyms.NewAlias());
    }
}
