using DaprChat.Contracts;
using DaprChat.Testing;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>What a student writes while waiting is kept only if someone comes to read it.</summary>
public sealed class UnansweredRequestTests(QuickAnswerWorld world) : IClassFixture<QuickAnswerWorld>
{
    private async Task<ChatSocket> StudentWritesWhileWaitingAsync(TestSession session, int messages)
    {
        var student = await world.ConnectAsync(session.Id, session.StudentTicket);
        for (var i = 1; i <= messages; i++)
        {
            await student.SendMessageAsync($"s-{i}", $"written while waiting {i}");
            await student.NextAsync("ack");
        }

        return student;
    }

    private Task<IReadOnlyList<string>> MessageKeysAsync(string sessionId) => world.Redis!.KeysAsync($"chat||session:{sessionId}:msg:*");

    [Theory]
    [InlineData(ChatEndReasons.Declined)]
    [InlineData(ChatEndReasons.Withdrawn)]
    [InlineData(ChatEndReasons.TimedOut)]
    public async Task A_request_that_ends_before_anyone_joined_erases_what_the_student_wrote_and_tells_them(string reason)
    {
        var session = await world.OpenSessionAsync(answerIn: TimeSpan.FromMinutes(2));
        await using var student = await StudentWritesWhileWaitingAsync(session, 3);
        Assert.Equal(3, (await MessageKeysAsync(session.Id)).Count);

        var ended = await world.MainDapr.InvokeActorMethodAsync<EndChatSessionRequest, ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, session.Id,
            ChatSessionMethods.End, new EndChatSessionRequest(reason == ChatEndReasons.Withdrawn ? session.Student.Id : session.Counselor.Id, reason));

        Assert.True(ended.MessagesErased);
        Assert.Empty(await MessageKeysAsync(session.Id));
        var frame = await student.NextAsync("session_ended");
        Assert.Equal(reason, frame["reason"]!.GetValue<string>());
        Assert.True(frame["messagesErased"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_request_nobody_answers_ends_by_itself_after_its_answer_by_time_and_leaves_no_message_keys()
    {
        var session = await world.OpenSessionAsync(answerIn: TimeSpan.FromSeconds(1));
        await using var student = await StudentWritesWhileWaitingAsync(session, 2);

        var frame = await student.NextAsync("session_ended", TimeSpan.FromSeconds(20));

        Assert.Equal(ChatEndReasons.TimedOut, frame["reason"]!.GetValue<string>());
        Assert.True(frame["messagesErased"]!.GetValue<bool>());
        Assert.Empty(await MessageKeysAsync(session.Id));
        var entry = await world.Redis!.EventuallyStreamEntryAsync(DaprNames.Topics.SessionEnded, session.Id);
        Assert.Contains(ChatEndReasons.TimedOut, entry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_the_counsellor_joined_the_answer_by_time_passes_without_ending_or_erasing_anything()
    {
        var session = await world.OpenSessionAsync(answerIn: TimeSpan.FromSeconds(1));
        var joined = await world.MainDapr.InvokeActorMethodAsync<ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, session.Id, ChatSessionMethods.Join);
        await using var student = await StudentWritesWhileWaitingAsync(session, 2);

        await Task.Delay(TimeSpan.FromSeconds(4));
        var now = await world.MainDapr.InvokeActorMethodAsync<ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, session.Id, ChatSessionMethods.Get);

        Assert.NotNull(joined.JoinedAt);
        Assert.Equal(ChatSessionStates.Open, now.State);
        Assert.False(now.MessagesErased);
        Assert.Equal(2, (await MessageKeysAsync(session.Id)).Count);
    }

    [Fact]
    public async Task A_join_after_the_request_timed_out_in_chat_gets_the_ended_room_back()
    {
        var session = await world.OpenSessionAsync(answerIn: TimeSpan.FromMilliseconds(100));
        await Eventually.TrueAsync(async () => (await world.MainDapr.InvokeActorMethodAsync<ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, session.Id,
            ChatSessionMethods.Get)).State == ChatSessionStates.Ended, TimeSpan.FromSeconds(20), "the request times out in chat");

        var joined = await world.MainDapr.InvokeActorMethodAsync<ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, session.Id, ChatSessionMethods.Join);

        Assert.Equal(ChatSessionStates.Ended, joined.State);
        Assert.Null(joined.JoinedAt);
        Assert.Equal(ChatEndReasons.TimedOut, joined.EndReason);
    }
}
