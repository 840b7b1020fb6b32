using DaprChat.Contracts;
using StackExchange.Redis;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>Appending must cost the same at the 500th message as at the first (bench/ measures the 10,000th).</summary>
public sealed class AppendCostTests(RedisChatWorld world) : IClassFixture<RedisChatWorld>
{
    // EVAL and EVALSHA are one script run each: the client sends the script once, then its hash.
    private static readonly string[] StoreCommands = ["script", "hgetall", "hmget", "hget", "hset", "del", "expire", "get", "set", "exists", "persist"];

    [Fact]
    public async Task The_500th_append_makes_the_same_store_commands_as_the_first()
    {
        var session = await world.OpenSessionAsync();
        await using var connection = await world.Redis!.ConnectAsync();
        var redis = connection.GetDatabase();

        var first = await CommandsForOneAppendAsync(redis, session, 1);
        for (var i = 2; i < 500; i++)
        {
            await SendAsync(session, i);
        }

        var fiveHundredth = await CommandsForOneAppendAsync(redis, session, 500);

        Assert.Equal(first, fiveHundredth);
        Assert.True(first.Values.Sum() > 0);

        // The session record is rewritten with every append, so it must not grow with the chat: it stays a few KB.
        var recordBytes = (long)await redis.ExecuteAsync("HSTRLEN", $"chat||{ChatSessionKey(session.Id)}", "data");
        Assert.InRange(recordBytes, 1, 4096);

        // A retry from the remembered window is still recognised, with the sequence it was stored under.
        var retried = await SendAsync(session, 480);
        Assert.True(retried.Duplicate);
        Assert.Equal(480, retried.Sequence);
    }

    private static string ChatSessionKey(string sessionId) => DaprChat.Chat.Sessions.ChatStore.SessionKey(sessionId);

    private async Task<Dictionary<string, long>> CommandsForOneAppendAsync(IDatabase redis, TestSession session, int n)
    {
        var before = await StatsAsync(redis);
        await SendAsync(session, n);
        var after = await StatsAsync(redis);
        long Delta(string command) => after.GetValueOrDefault(command) - before.GetValueOrDefault(command);
        return StoreCommands.ToDictionary(c => c, c => c == "script" ? Delta("eval") + Delta("evalsha") : Delta(c));
    }

    private Task<SendChatMessageResult> SendAsync(TestSession session, int n) =>
        world.Room(session.Id).SendAsync(new SendChatMessageRequest(session.Student.Id, $"m-{n}", $"message {n}"));

    private static async Task<Dictionary<string, long>> StatsAsync(IDatabase redis)
    {
        var text = (string?)await redis.ExecuteAsync("INFO", "commandstats") ?? "";
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.StartsWith("cmdstat_", StringComparison.Ordinal)))
        {
            var name = line["cmdstat_".Length..line.IndexOf(':', StringComparison.Ordinal)];
            var calls = line.Split(',')[0].Split('=')[1];
            stats[name] = long.Parse(calls, System.Globalization.CultureInfo.InvariantCulture);
        }

        return stats;
    }
}
