using DaprChat.Reliability;
using Xunit;

namespace DaprChat.Reliability.Tests;

public class HistoryCheckerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Sides = ["student", "counselor"];
    private const string S = "s1";

    private static DateTimeOffset At(int ms) => T0.AddMilliseconds(ms);

    /// <summary>A clean history: student sends a, b; both sides see 1, 2; the store holds 1=a, 2=b.</summary>
    private static History Clean()
    {
        var h = new History();
        h.Add(new Sent(S, "student", "a", At(0)));
        h.Add(new Acked(S, "student", "a", 1, false, At(10)));
        h.Add(new Sent(S, "student", "b", At(20)));
        h.Add(new Acked(S, "student", "b", 2, false, At(30)));
        foreach (var side in Sides)
        {
            h.Add(new Received(S, side, "a", 1, At(15)));
            h.Add(new Received(S, side, "b", 2, At(40)));
        }
        return h;
    }

    private static Dictionary<string, IReadOnlyList<StoredMessage>> Store(params StoredMessage[] messages) =>
        new() { [S] = messages };

    private static readonly StoredMessage A = new(1, "a"), B = new(2, "b");

    [Fact]
    public void A_clean_history_passes_with_its_figures()
    {
        var h = Clean();
        h.Fault(new FaultInjected("kill-chat", At(5)));
        var report = HistoryChecker.Check(h, Sides, Store(A, B));
        Assert.True(report.Ok, report.ToString());
        Assert.Equal((1, 2, 2, 0, 0, 0), (report.Faults, report.Sent, report.Acknowledged, report.Lost, report.Duplicated, report.Inverted));
        Assert.Equal(TimeSpan.FromMilliseconds(10), report.WorstConvergence);
    }

    [Fact]
    public void A_retry_acked_again_with_the_same_seq_is_not_a_duplicate()
    {
        var h = Clean();
        h.Add(new Sent(S, "student", "b", At(50)));
        h.Add(new Acked(S, "student", "b", 2, true, At(60)));
        var report = HistoryChecker.Check(h, Sides, Store(A, B));
        Assert.True(report.Ok, report.ToString());
        Assert.Equal(2, report.Sent);
    }

    [Fact]
    public void An_acked_message_missing_from_the_store_is_lost()
    {
        var report = HistoryChecker.Check(Clean(), Sides, Store(A));
        Assert.Contains(report.Anomalies, a => a is { Kind: AnomalyKind.Lost, Side: "store" });
        Assert.False(report.Ok);
    }

    [Fact]
    public void An_acked_message_one_side_never_saw_is_lost_on_that_side()
    {
        var h = new History();
        h.Add(new Acked(S, "student", "a", 1, false, At(10)));
        h.Add(new Received(S, "student", "a", 1, At(12)));
        var report = HistoryChecker.Check(h, Sides, Store(A));
        var lost = Assert.Single(report.Anomalies, a => a.Kind == AnomalyKind.Lost);
        Assert.Equal("counselor", lost.Side);
        Assert.Equal(1, report.Lost);
    }

    [Fact]
    public void A_seq_shown_twice_to_one_side_is_a_duplicate()
    {
        var h = Clean();
        h.Add(new Received(S, "counselor", "b", 2, At(70)));
        var report = HistoryChecker.Check(h, Sides, Store(A, B));
        Assert.Equal(1, report.Duplicated);
        Assert.Equal("counselor", Assert.Single(report.Anomalies).Side);
    }

    [Fact]
    public void A_client_id_stored_under_two_seqs_is_a_duplicate()
    {
        var h = Clean();
        h.Add(new Received(S, "student", "b", 3, At(80)));
        h.Add(new Received(S, "counselor", "b", 3, At(80)));
        var report = HistoryChecker.Check(h, Sides, Store(A, B, new StoredMessage(3, "b")));
        Assert.Contains(report.Anomalies, a => a is { Kind: AnomalyKind.Duplicated, Side: "store" });
    }

    [Fact]
    public void A_client_id_acked_with_two_different_seqs_is_a_duplicate()
    {
        var h = Clean();
        h.Add(new Acked(S, "student", "b", 3, true, At(90)));
        var report = HistoryChecker.Check(h, Sides, Store(A, B));
        Assert.Contains(report.Anomalies, a => a is { Kind: AnomalyKind.Duplicated, Side: "student" });
    }

    [Fact]
    public void A_lower_seq_shown_after_a_higher_one_is_an_inversion()
    {
        var h = new History();
        h.Add(new Acked(S, "student", "a", 1, false, At(10)));
        h.Add(new Acked(S, "student", "b", 2, false, At(20)));
        h.Add(new Received(S, "student", "a", 1, At(11)));
        h.Add(new Received(S, "student", "b", 2, At(21)));
        h.Add(new Received(S, "counselor", "b", 2, At(22)));
        h.Add(new Received(S, "counselor", "a", 1, At(23)));
        var report = HistoryChecker.Check(h, Sides, Store(A, B));
        var inverted = Assert.Single(report.Anomalies);
        Assert.Equal((AnomalyKind.Inverted, "counselor"), (inverted.Kind, inverted.Side));
        Assert.Equal(1, report.Inverted);
    }

    [Fact]
    public void A_stored_message_a_side_never_saw_makes_its_transcript_diverge_even_unacked()
    {
        var h = Clean();
        h.Add(new Sent(S, "student", "c", At(100)));
        h.Add(new Received(S, "student", "c", 3, At(110)));
        var report = HistoryChecker.Check(h, Sides, Store(A, B, new StoredMessage(3, "c")));
        var diverged = Assert.Single(report.Anomalies);
        Assert.Equal((AnomalyKind.Diverged, "counselor"), (diverged.Kind, diverged.Side));
    }

    [Fact]
    public void A_seq_shown_with_another_client_id_than_stored_diverges()
    {
        var h = Clean();
        var report = HistoryChecker.Check(h, Sides, Store(A, new StoredMessage(2, "x")));
        Assert.Contains(report.Anomalies, a => a is { Kind: AnomalyKind.Diverged, Side: "store" });
        Assert.Contains(report.Anomalies, a => a is { Kind: AnomalyKind.Diverged, Side: "student" });
    }

    [Fact]
    public void A_store_out_of_seq_order_is_an_inversion()
    {
        var report = HistoryChecker.Check(Clean(), Sides, Store(B, A));
        Assert.Contains(report.Anomalies, a => a is { Kind: AnomalyKind.Inverted, Side: "store" });
    }

    [Fact]
    public void The_report_lists_the_anomalies_it_found()
    {
        var report = HistoryChecker.Check(Clean(), Sides, Store(A));
        Assert.Contains("lost 1", report.ToString());
        Assert.Contains("acked client id b (seq 2) not stored", report.ToString());
    }
}
