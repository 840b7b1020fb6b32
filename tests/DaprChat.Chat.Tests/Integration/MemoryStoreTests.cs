using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>The embedded default (in-memory state and pub/sub in the local runtime): the same chat works.</summary>
public sealed class MemoryStoreTests(MemoryChatWorld world) : IClassFixture<MemoryChatWorld>
{
    [Fact]
    public async Task Two_clients_chat_and_a_reconnecting_one_resumes_with_in_memory_stores()
    {
        var session = await world.OpenSessionAsync();
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket);
        var student = await world.ConnectAsync(session.Id, session.StudentTicket);

        await student.SendMessageAsync("s-1", "hello");
        Assert.Equal([(1L, "hello")], await counselor.MessagesAsync(1));
        student.Abort();
        await student.DisposeAsync();
        await counselor.SendMessageAsync("c-1", "welcome back");
        await counselor.NextAsync("ack");
        await using var back = await world.ConnectAsync(session.Id, session.StudentTicket);
        await back.SendAsync(new { v = 1, type = "resume", afterSeq = 0 });

        Assert.Equal([(1L, "hello"), (2L, "welcome back")], await back.MessagesAsync(2));
    }
}
