using DaprChat.Contracts;
using DaprChat.Main.Tests.Infrastructure;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

/// <summary>Words written to a request nobody answered are not kept: observed in Redis, and said on the student's side.</summary>
[Collection(MainCollection.Name)]
public sealed class UnansweredRequestTests(MainFixture fixture)
{
    private readonly Api _api = new(fixture.Http);

    private async Task<(User Student, User Counselor, string SessionId)> StudentWritesWhileWaitingAsync()
    {
        var counselor = await _api.StaffAsync(await _api.AdminAsync());
        var student = await _api.StudentAsync();
        var created = await _api.RequestChatAsync(student, counselor);
        var sessionId = created["session"]!["id"]!.GetValue<string>();
        var pseudonym = created["session"]!["pseudonym"]!.GetValue<string>();
        for (var i = 1; i <= 3; i++)
        {
            // What chat's socket layer does when the student sends while waiting.
            var sent = await fixture.ChatDapr.InvokeActorMethodAsync<SendChatMessageRequest, SendChatMessageResult>(DaprNames.ActorTypes.ChatSession, sessionId,
                ChatSessionMethods.Send, new SendChatMessageRequest(pseudonym, $"wait-{i}", $"is anyone there {i}"));
            Assert.Equal(ChatOutcomes.Ok, sent.Outcome);
        }

        Assert.Equal(3, (await MessageKeysAsync(sessionId)).Count);
        return (student, counselor, sessionId);
    }

    private Task<IReadOnlyList<string>> MessageKeysAsync(string sessionId) => fixture.Redis.KeysAsync($"chat||session:{sessionId}:msg:*");

    [Fact]
    public async Task A_declined_request_leaves_no_message_keys_in_Redis_and_the_student_is_told_their_words_were_deleted()
    {
        var (student, counselor, sessionId) = await StudentWritesWhileWaitingAsync();

        await _api.JsonAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/decline", counselor.AccessToken);

        Assert.Empty(await MessageKeysAsync(sessionId));
        var seen = await _api.JsonAsync(HttpMethod.Get, $"/api/sessions/{sessionId}", student.AccessToken);
        Assert.Equal("declined", seen["status"]!.GetValue<string>());
        Assert.True(seen["messagesErased"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_timed_out_request_leaves_no_message_keys_in_Redis()
    {
        var (student, _, sessionId) = await StudentWritesWhileWaitingAsync();

        fixture.Time.Advance(MainFixture.RequestTimeout + TimeSpan.FromSeconds(1));
        var seen = await _api.JsonAsync(HttpMethod.Get, $"/api/sessions/{sessionId}", student.AccessToken);

        Assert.Equal("timed_out", seen["status"]!.GetValue<string>());
        Assert.True(seen["messagesErased"]!.GetValue<bool>());
        Assert.Empty(await MessageKeysAsync(sessionId));
    }

    [Fact]
    public async Task A_request_the_student_withdraws_before_anyone_joined_leaves_no_message_keys_in_Redis()
    {
        var (student, _, sessionId) = await StudentWritesWhileWaitingAsync();

        var ended = await _api.JsonAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/end", student.AccessToken);

        Assert.True(ended["messagesErased"]!.GetValue<bool>());
        Assert.Empty(await MessageKeysAsync(sessionId));
    }

    [Fact]
    public async Task A_chat_the_counsellor_joined_keeps_its_messages_when_it_ends()
    {
        var (student, counselor, sessionId) = await StudentWritesWhileWaitingAsync();

        await _api.JsonAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/join", counselor.AccessToken);
        var ended = await _api.JsonAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/end", student.AccessToken);

        Assert.False(ended["messagesErased"]!.GetValue<bool>());
        Assert.Equal(3, (await MessageKeysAsync(sessionId)).Count);
    }
}
