using System.Net;
using DaprChat.Contracts;
using DaprChat.Testing;
using Xunit;

namespace DaprChat.Notify.Tests.Integration;

[Collection(NotifyCollection.Name)]
public sealed class DeskStreamTests(NotifyWorld world)
{
    private readonly Api _api = new(world.Main);

    [Fact]
    public async Task A_new_request_reaches_the_counsellors_stream_on_whichever_notify_instance_holds_it()
    {
        var counselor = await _api.CounselorAsync();
        var student = await _api.StudentAsync();
        await using var first = await DeskStream.OpenAsync(world.Notify[0], counselor);
        await using var second = await DeskStream.OpenAsync(world.Notify[1], counselor);

        var (sessionId, _) = await _api.RequestChatAsync(student, counselor);

        // Generous bounds for a loaded machine; the goal (well under a second) is measured in bench/, not asserted.
        var onFirst = await first.NextAsync("session.requested", sessionId, TimeSpan.FromSeconds(30));
        var onSecond = await second.NextAsync("session.requested", sessionId, TimeSpan.FromSeconds(30));
        Assert.Equal(onFirst.Id, onSecond.Id);
        Assert.DoesNotContain("anon_", onFirst.Data.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reconnecting_desk_gets_what_it_missed_after_its_last_event_id_and_nothing_before()
    {
        var counselor = await _api.CounselorAsync();
        long seen;
        string firstSession;
        await using (var stream = await DeskStream.OpenAsync(world.Notify[0], counselor))
        {
            firstSession = (await _api.RequestChatAsync(await _api.StudentAsync(), counselor)).SessionId;
            seen = (await stream.NextAsync("session.requested", firstSession)).Id;
        }

        // While the desk is away: another request, handled by whichever instance, kept for the replay.
        var (missed, _) = await _api.RequestChatAsync(await _api.StudentAsync(), counselor);
        await Eventually.TrueAsync(() => KeptAsync(counselor, missed), TimeSpan.FromSeconds(30), "the missed request is kept");

        await using var again = await DeskStream.OpenAsync(world.Notify[1], counselor, lastEventId: seen);
        var replayed = await again.NextAsync("session.requested", missed);
        Assert.True(replayed.Id > seen);
        Assert.DoesNotContain(again.Drain(), e => e.Data["sessionId"]?.GetValue<string>() == firstSession);
    }

    [Fact]
    public async Task A_students_token_another_apps_ticket_or_none_opens_no_stream()
    {
        var student = await _api.StudentAsync();
        var counselor = await _api.CounselorAsync();
        var (sessionId, ticket) = await _api.RequestChatAsync(student, counselor);

        using (var none = await DeskStream.OpenRawAsync(world.Notify[0], null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        }

        using (var asStudent = await DeskStream.OpenRawAsync(world.Notify[0], student.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, asStudent.StatusCode);
        }

        // A chat ticket is main's signature too, but for chat: it opens nothing here.
        using (var withTicket = await DeskStream.OpenRawAsync(world.Notify[0], ticket))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withTicket.StatusCode);
        }

        using (var forged = await DeskStream.OpenRawAsync(world.Notify[0], counselor.AccessToken[..^4] + "AAAA"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        Assert.NotEmpty(sessionId);
    }

    [Fact]
    public async Task Another_counsellors_stream_hears_nothing_of_this_counsellors_requests()
    {
        var mine = await _api.CounselorAsync();
        var other = await _api.CounselorAsync();
        await using var otherStream = await DeskStream.OpenAsync(world.Notify[0], other);
        await using var myStream = await DeskStream.OpenAsync(world.Notify[1], mine);

        var (forMe, _) = await _api.RequestChatAsync(await _api.StudentAsync(), mine);
        await myStream.NextAsync("session.requested", forMe);
        // The other counsellor's own request comes after mine was fanned out; only it reaches their stream.
        var (forOther, _) = await _api.RequestChatAsync(await _api.StudentAsync(), other);
        await otherStream.NextAsync("session.requested", forOther);
        Assert.DoesNotContain(otherStream.Drain(), e => e.Data["sessionId"]?.GetValue<string>() == forMe);

        await using var replay = await DeskStream.OpenAsync(world.Notify[0], other, lastEventId: 0);
        await replay.NextAsync("session.requested", forOther);
        Assert.DoesNotContain(replay.Drain(), e => e.Data["sessionId"]?.GetValue<string>() == forMe);
    }

    [Fact]
    public async Task A_chat_that_ends_and_a_summary_that_is_ready_or_failed_reach_the_counsellors_desk()
    {
        var counselor = await _api.CounselorAsync();
        var student = await _api.StudentAsync();
        await using var desk = await DeskStream.OpenAsync(world.Notify[0], counselor);
        var (sessionId, _) = await _api.RequestChatAsync(student, counselor);
        await desk.NextAsync("session.requested", sessionId);
        await _api.JoinAsync(counselor, sessionId);

        // The student ends it in chat's room (through main); chat publishes chat.session-ended, naming the student.
        await _api.JsonAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/end", student.AccessToken);
        await desk.NextAsync("session.ended", sessionId);

        // summarize is not part of this world: its events are published as it publishes them.
        using var dapr = world.MainSidecar.CreateClient();
        await dapr.PublishEventAsync("events", "summary.ready", new SummaryReadyEvent("job-1-" + sessionId, sessionId, counselor.Id, DateTimeOffset.UtcNow));
        await dapr.PublishEventAsync("events", "summary.failed", new SummaryFailedEvent("job-2-" + sessionId, sessionId, counselor.Id, "generation_failed", DateTimeOffset.UtcNow));
        var ready = await desk.NextAsync("summary.ready", sessionId);
        Assert.Equal("job-1-" + sessionId, ready.Data["jobId"]!.GetValue<string>());
        await desk.NextAsync("summary.failed", sessionId);
    }

    private async Task<bool> KeptAsync(User counselor, string sessionId)
    {
        await using var probe = await DeskStream.OpenAsync(world.Notify[0], counselor, lastEventId: 0);
        try
        {
            await probe.NextAsync("session.requested", sessionId, TimeSpan.FromSeconds(2));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
