using System.Net.WebSockets;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>Retention is 6 s here instead of 24 h: the same rule, watched in Redis itself.</summary>
public sealed class RetentionTests(ShortRetentionWorld world) : IClassFixture<ShortRetentionWorld>
{
    [Fact]
    public async Task The_whole_chat_stays_while_it_has_a_recent_message_and_every_key_is_gone_from_Redis_soon_after_the_last_one_expires()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);
        await student.SendMessageAsync("s-1", "first");
        await student.NextAsync("ack");
        var firstKey = $"chat||session:{session.Id}:msg:1";
        Assert.InRange(await world.Redis!.TtlAsync(firstKey), 1, 6);

        // A later message restarts the clock for the whole chat, including the first message.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await student.SendMessageAsync("s-2", "second");
        await student.NextAsync("ack");
        await Task.Delay(TimeSpan.FromSeconds(4));
        var keysWhileRecent = await world.Redis!.KeysAsync($"*{session.Id}*");

        Assert.Contains(firstKey, keysWhileRecent);
        Assert.Contains($"chat||session:{session.Id}:msg:2", keysWhileRecent);
        Assert.Contains($"chat||session:{session.Id}", keysWhileRecent);

        // No message for a whole retention: the sockets hear it, and every key of the chat is gone.
        Assert.Equal("session_expired", (await student.NextAsync("session_expired", TimeSpan.FromSeconds(15)))["type"]!.GetValue<string>());
        Assert.Equal((WebSocketCloseStatus)4410, await student.ClosedAsync());
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        IReadOnlyList<string> left;
        while ((left = await world.Redis!.KeysAsync($"*{session.Id}*")).Count > 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.True(left.Count == 0, "still in Redis a minute later: " + string.Join(", ", left));
        Assert.NotEqual(101, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), session.StudentTicket));
    }
}
