using DaprChat.Chat.Testing;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>The shared chat world as an xunit fixture: started before a test class's first test, disposed after its last.</summary>
public abstract class ChatWorldFixture(bool redis, int chatInstances, IReadOnlyDictionary<string, string?>? settings = null)
    : ChatWorld(redis, chatInstances, settings), IAsyncLifetime
{
    public ValueTask InitializeAsync() => new(StartAsync());

    public Task<ChatSocket> ConnectAsync(string sessionId, string ticket, int instance = 0) =>
        ChatSocket.ConnectAsync(SocketUri(sessionId, instance), ticket, AllowedOrigin);
}

public sealed class RedisChatWorld() : ChatWorldFixture(redis: true, chatInstances: 2);

public sealed class MemoryChatWorld() : ChatWorldFixture(redis: false, chatInstances: 1);

/// <summary>Seconds instead of hours, so expiry can be watched in Redis.</summary>
public sealed class ShortRetentionWorld() : ChatWorldFixture(redis: true, chatInstances: 1, new Dictionary<string, string?>
{
    ["Chat:MessageRetention"] = "00:00:06",
});

/// <summary>Short idle timeout and presence lease, so cleanup of quiet and vanished sockets can be watched.</summary>
public sealed class QuickCleanupWorld() : ChatWorldFixture(redis: true, chatInstances: 1, new Dictionary<string, string?>
{
    ["Chat:IdleTimeout"] = "00:00:02",
    ["Chat:PresenceLease"] = "00:00:03",
});

/// <summary>A request's answer-by grace of one second, so an unanswered request can be watched ending by itself.</summary>
public sealed class QuickAnswerWorld() : ChatWorldFixture(redis: true, chatInstances: 1, new Dictionary<string, string?>
{
    ["Chat:AnswerGrace"] = "00:00:01",
});
