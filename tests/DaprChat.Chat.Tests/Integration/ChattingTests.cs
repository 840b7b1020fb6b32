using System.Text.Json.Nodes;
using DaprChat.Contracts;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>Two participants through the local runtime, stores in Redis, on two chat instances.</summary>
public sealed class ChattingTests(RedisChatWorld world) : IClassFixture<RedisChatWorld>
{
    [Fact]
    public async Task A_student_and_a_counsellor_on_different_instances_talk_in_real_time_and_each_send_is_acknowledged_after_it_is_stored()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket, instance: 0);
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket, instance: 1);
        var welcome = await student.NextAsync("welcome");
        Assert.Equal(session.Student.Id, welcome["you"]!["id"]!.GetValue<string>());
        Assert.Equal(0, welcome["lastSeq"]!.GetValue<long>());

        await student.SendMessageAsync("s-1", "hello, is anyone there?");
        // The student's own message comes back to them too (multi-device), before or after its ack.
        var (ack, echo) = await student.NextPairAsync("ack", "message");
        var heard = await counselor.NextAsync("message");
        await counselor.SendMessageAsync("c-1", "Hi, I'm here. Take your time.");

        Assert.Equal("s-1", ack["clientId"]!.GetValue<string>());
        Assert.Equal(1, ack["seq"]!.GetValue<long>());
        Assert.Equal(1, heard["seq"]!.GetValue<long>());
        Assert.Equal("hello, is anyone there?", heard["content"]!.GetValue<string>());
        Assert.Equal(session.Student.Id, heard["senderId"]!.GetValue<string>());
        Assert.Equal(1, echo["seq"]!.GetValue<long>());
        var answer = await student.NextAsync("message");
        Assert.Equal(2, answer["seq"]!.GetValue<long>());
        Assert.Equal(session.Counselor.Id, answer["senderId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_retried_send_with_the_same_client_id_is_stored_once_and_acknowledged_with_the_same_number()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket, instance: 1);

        await student.SendMessageAsync("retry-me", "are you there?");
        var first = await student.NextAsync("ack");
        await student.SendMessageAsync("retry-me", "are you there?");
        var second = await student.NextAsync("ack");
        await student.SendMessageAsync("next", "ok");
        var third = await student.NextAsync("ack");

        Assert.Equal(first["seq"]!.GetValue<long>(), second["seq"]!.GetValue<long>());
        Assert.True(second["duplicate"]!.GetValue<bool>());
        Assert.Equal(first["id"]!.GetValue<string>(), second["id"]!.GetValue<string>());
        Assert.Equal(2, third["seq"]!.GetValue<long>());
        Assert.Equal([(1L, "are you there?"), (2L, "ok")], await counselor.MessagesAsync(2));
    }

    [Fact]
    public async Task Twenty_concurrent_senders_produce_one_gap_free_order_seen_identically_by_both_sides()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket, instance: 0);
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket, instance: 1);
        // Twenty more sockets of the same two participants (phones and laptops), spread over both instances.
        var senders = new List<ChatSocket>();
        for (var i = 0; i < 20; i++)
        {
            senders.Add(await world.ConnectAsync(session.Id, i % 2 == 0 ? session.StudentTicket : session.CounselorTicket, instance: i % 2));
        }

        try
        {
            await Task.WhenAll(senders.Select((s, i) => Task.Run(async () =>
            {
                for (var n = 0; n < 5; n++)
                {
                    await s.SendMessageAsync($"sender{i}-{n}", $"message {n} from sender {i}");
                }
            })));

            var seenByStudent = await student.MessagesAsync(100, TimeSpan.FromSeconds(30));
            var seenByCounselor = await counselor.MessagesAsync(100, TimeSpan.FromSeconds(30));

            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seenByStudent.Select(m => m.Seq));
            Assert.Equal(seenByStudent, seenByCounselor);
            Assert.Equal(100, seenByStudent.Select(m => m.Content).Distinct().Count());
        }
        finally
        {
            foreach (var s in senders)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_client_that_reconnects_with_resume_receives_exactly_what_it_missed_in_order()
    {
        var session = await world.OpenSessionAsync();
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket, instance: 1);
        var student = await world.ConnectAsync(session.Id, session.StudentTicket);
        await counselor.SendMessageAsync("c-1", "first");
        Assert.Equal([(1L, "first")], await student.MessagesAsync(1));
        student.Abort();
        await student.DisposeAsync();

        await counselor.SendMessageAsync("c-2", "second");
        await counselor.SendMessageAsync("c-3", "third");
        // Acks come in order (c-1's too): "third" is stored once its ack is in.
        while ((await counselor.NextAsync("ack"))["clientId"]!.GetValue<string>() != "c-3")
        {
        }

        await using var back = await world.ConnectAsync(session.Id, session.StudentTicket, instance: 1);
        var welcome = await back.NextAsync("welcome");
        await back.SendAsync(new { v = 1, type = "resume", afterSeq = 1 });

        Assert.Equal(3, welcome["lastSeq"]!.GetValue<long>());
        Assert.Equal([(2L, "second"), (3L, "third")], await back.MessagesAsync(2));
        var resumed = await back.NextAsync("resumed");
        Assert.Equal(3, resumed["lastSeq"]!.GetValue<long>());
        await counselor.SendMessageAsync("c-4", "fourth");
        Assert.Equal([(4L, "fourth")], await back.MessagesAsync(1));
    }

    [Fact]
    public async Task Read_receipts_typing_and_presence_reach_the_other_side()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket, instance: 0);
        var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket, instance: 1);
        var online = await student.NextAsync("presence");
        Assert.Equal(session.Counselor.Id, online["participantId"]!.GetValue<string>());
        Assert.True(online["online"]!.GetValue<bool>());

        await counselor.SendAsync(new { v = 1, type = "typing", isTyping = true });
        var typing = await student.NextAsync("typing");
        await student.SendMessageAsync("s-1", "hi");
        await counselor.NextAsync("message");
        await counselor.SendAsync(new { v = 1, type = "read", upToSeq = 1 });
        var read = await student.NextAsync("read");
        await counselor.DisposeAsync();
        var offline = await student.NextAsync("presence");

        Assert.True(typing["isTyping"]!.GetValue<bool>());
        Assert.Equal(session.Counselor.Id, read["participantId"]!.GetValue<string>());
        Assert.Equal(1, read["upToSeq"]!.GetValue<long>());
        Assert.False(offline["online"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Ending_the_session_tells_both_sockets_and_closes_them_normally_and_its_tickets_stop_working()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket, instance: 0);
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket, instance: 1);
        await student.NextAsync("welcome");

        await counselor.SendAsync(new { v = 1, type = "end" });
        var ended = await student.NextAsync("session_ended");
        await counselor.NextAsync("session_ended");

        Assert.Equal(session.Counselor.Id, ended["endedBy"]!.GetValue<string>());
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, await student.ClosedAsync());
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, await counselor.ClosedAsync());
        Assert.Equal(410, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), session.StudentTicket));
    }

    [Fact]
    public async Task A_message_to_someone_with_no_live_socket_publishes_an_offline_event_without_the_text()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);

        await student.SendMessageAsync("s-1", "a secret worry");
        await student.NextAsync("ack");

        var entry = await world.Redis!.EventuallyStreamEntryAsync("notify.offline-message", session.Id);
        Assert.Contains(session.Counselor.Id, entry, StringComparison.Ordinal);
        Assert.DoesNotContain("secret worry", entry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_and_summarize_can_read_the_transcript_through_Dapr_but_no_caller_from_outside_can()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);
        await student.SendMessageAsync("s-1", "first");
        await student.NextAsync("ack");

        using var viaMain = world.MainSidecar.InvocationClient(DaprNames.Apps.Chat);
        using var response = await viaMain.GetAsync($"sessions/{session.Id}/transcript");
        var transcript = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        using var direct = new HttpClient();
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{world.ChatPorts[0]}/sessions/{session.Id}/transcript");
        forged.Headers.Add("dapr-caller-app-id", "main");
        using var refused = await direct.SendAsync(forged);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("first", transcript["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(session.Student.Id, transcript["session"]!["studentPseudonym"]!.GetValue<string>());
        // Claiming to be main is not enough: only chat's sidecar holds the app token.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
