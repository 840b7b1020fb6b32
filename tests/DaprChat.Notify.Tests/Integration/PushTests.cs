extern alias notify;
using DaprChat.Notify.Tests.Fakes;
using DaprChat.Testing;
using notify::DaprChat.Notify.Push;
using Xunit;

namespace DaprChat.Notify.Tests.Integration;

[Collection(NotifyCollection.Name)]
public sealed class PushTests(NotifyWorld world)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private readonly Api _api = new(world.Main);

    private static string NewToken() => "fcm-" + Guid.NewGuid().ToString("N");

    /// <summary>A chat the counsellor has joined, with the counsellor's socket open and the student's not.</summary>
    private async Task<(User Student, User Counselor, string SessionId, string StudentTicket, ChatSocket CounselorSocket)> ChatAsync()
    {
        var student = await _api.StudentAsync();
        var counselor = await _api.CounselorAsync();
        var (sessionId, studentTicket) = await _api.RequestChatAsync(student, counselor);
        var counselorTicket = await _api.JoinAsync(counselor, sessionId);
        return (student, counselor, sessionId, studentTicket, await ChatSocket.ConnectAsync(world.ChatPort, sessionId, counselorTicket));
    }

    [Fact]
    public async Task An_offline_student_gets_exactly_one_discreet_push_for_a_burst_of_twenty_messages()
    {
        var (student, _, sessionId, _, counselor) = await ChatAsync();
        await using var _ = counselor;
        var device = NewToken();
        await _api.RegisterDeviceAsync(student, device);
        const string Canary = "CANARY-7f3a the student's secret";

        for (var i = 0; i < 20; i++)
        {
            await counselor.SendMessageAsync($"{Canary} #{i}");
        }

        await counselor.MessageAsync($"{Canary} #19", Generous);
        // Every one of the 20 offline events was handled (by either instance) before counting pushes.
        var studentMarks = world.MarkReads.Where(kv => kv.Key.StartsWith($"push-quiet:{sessionId}:anon_", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => world.MarkReads.Where(kv => kv.Key.StartsWith($"push-quiet:{sessionId}:anon_", StringComparison.Ordinal)).Sum(kv => kv.Value) >= 20,
            Generous, "notify handled all 20 offline messages");
        var push = Assert.Single(world.Fcm.To(device));
        Assert.DoesNotContain("CANARY", push.RawBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Dr Canary Name", push.RawBody, StringComparison.Ordinal);
        Assert.Equal(sessionId, push.Message["data"]!["sessionId"]!.GetValue<string>());
        Assert.Equal(sessionId, push.Message["android"]!["collapse_key"]!.GetValue<string>());
        Assert.Empty(world.Fcm.Violations);
        Assert.NotEmpty(studentMarks);
    }

    [Fact]
    public async Task An_online_student_gets_no_push()
    {
        var (student, _, sessionId, studentTicket, counselor) = await ChatAsync();
        await using var _ = counselor;
        var device = NewToken();
        await _api.RegisterDeviceAsync(student, device);
        await using var online = await ChatSocket.ConnectAsync(world.ChatPort, sessionId, studentTicket);
        for (var i = 0; i < 3; i++)
        {
            await counselor.SendMessageAsync($"hello {i}");
        }

        await online.MessageAsync("hello 2", Generous);

        // A later push to someone offline (a sentinel) has gone through the whole pipeline; the online one got none.
        var (sentinel, _, _, _, sentinelCounselor) = await ChatAsync();
        await using var __ = sentinelCounselor;
        var sentinelDevice = NewToken();
        await _api.RegisterDeviceAsync(sentinel, sentinelDevice);
        await sentinelCounselor.SendMessageAsync("are you there?");
        await Eventually.TrueAsync(() => world.Fcm.To(sentinelDevice).Any(), Generous, "the sentinel's push arrived");
        Assert.Empty(world.Fcm.To(device));
    }

    [Fact]
    public async Task An_unregistered_token_is_removed_from_main_and_the_other_device_still_gets_the_push()
    {
        var (student, _, _, _, counselor) = await ChatAsync();
        await using var _ = counselor;
        var dead = NewToken();
        var alive = NewToken();
        world.Fcm.Script(dead, FakeFcm.Answer.Unregistered);
        world.Fcm.Script(alive, FakeFcm.Answer.TooManyRequests);
        await _api.RegisterDeviceAsync(student, dead);
        await _api.RegisterDeviceAsync(student, alive);
        Assert.Equal(2, await _api.DeviceCountAsync(student));

        await counselor.SendMessageAsync("ping");

        await Eventually.TrueAsync(async () => await _api.DeviceCountAsync(student) == 1, Generous, "main dropped the unregistered token");
        await Eventually.TrueAsync(() => world.Fcm.To(alive).Any(), Generous, "the live device got its push after the 429");
        var attempts = world.Fcm.Attempts.Where(a => a.Token == alive).ToList();
        Assert.True(attempts.Count >= 2);
        // Retry-After honoured: the retry waited at least what FCM asked (a lower bound, safe on a slow machine).
        Assert.True(attempts[1].At - attempts[0].At >= world.Fcm.RetryAfter - TimeSpan.FromMilliseconds(100), $"retried after {attempts[1].At - attempts[0].At}");
        Assert.Empty(world.Fcm.Violations);
    }

    [Fact]
    public async Task A_counsellor_gets_one_push_for_a_new_request_and_the_desk_notification()
    {
        var student = await _api.StudentAsync();
        var counselor = await _api.CounselorAsync();
        var device = NewToken();
        await _api.RegisterDeviceAsync(counselor, device);
        await using var desk = await DeskStream.OpenAsync(world.Notify[1], counselor);

        var (sessionId, _) = await _api.RequestChatAsync(student, counselor);

        await desk.NextAsync("session.requested", sessionId);
        await Eventually.TrueAsync(() => world.Fcm.To(device).Any(), Generous, "the counsellor's phone got the request");
        var push = Assert.Single(world.Fcm.To(device));
        Assert.Equal(PushScreens.Desk, push.Message["data"]!["screen"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_counsellor_not_in_the_chat_hears_of_the_students_message_on_the_desk_and_the_phone_without_its_text()
    {
        var student = await _api.StudentAsync();
        var counselor = await _api.CounselorAsync();
        var device = NewToken();
        await _api.RegisterDeviceAsync(counselor, device);
        var (sessionId, studentTicket) = await _api.RequestChatAsync(student, counselor);
        await _api.JoinAsync(counselor, sessionId);
        await using var desk = await DeskStream.OpenAsync(world.Notify[0], counselor);
        await using var studentSocket = await ChatSocket.ConnectAsync(world.ChatPort, sessionId, studentTicket);

        await studentSocket.SendMessageAsync("CANARY-b2 I need to talk");

        var noted = await desk.NextAsync("student.message", sessionId, Generous);
        Assert.DoesNotContain("CANARY", noted.Data.ToJsonString(), StringComparison.Ordinal);
        // The request already pushed to this phone for this session: the quiet period holds the message's push back.
        await Eventually.TrueAsync(() => world.Fcm.To(device).Any(), Generous, "the counsellor's phone got the request");
        Assert.All(world.Fcm.To(device), p => Assert.DoesNotContain("CANARY", p.RawBody, StringComparison.Ordinal));
        Assert.Single(world.Fcm.To(device));
    }
}
