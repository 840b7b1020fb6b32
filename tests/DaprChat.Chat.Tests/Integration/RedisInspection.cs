
using System.Text;
using DaprChat.Testing;
using StackExchange.Redis;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>Looking into Redis itself, to see what the stores really hold (and stop holding).</summary>
public static class RedisInspection
{
    /// <summary>The raw text of the first entry of <paramref name="stream"/> that mentions <paramref name="mentioning"/>.</summary>
    public static async Task<string> EventuallyStreamEntryAsync(this RedisServer redis, string stream, string mentioning, TimeSpan? timeout = null)
    {
        await using var client = await redis.ConnectAsync();
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var entries = (RedisResult[]?)await client.GetDatabase().ExecuteAsync("XRANGE", stream, "-", "+") ?? [];
            foreach (var entry in entries)
            {
                var text = string.Join(" ", Flatten(entry));
                if (text.Contains(mentioning, StringComparison.Ordinal))
                {
                    return text;
                }
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"no entry of stream {stream} mentions {mentioning}");
            }

            await Task.Delay(100);
        }
    }

    public static async Task<IReadOnlyList<string>> KeysAsync(this RedisServer redis, string pattern)
    {
        await using var client = await redis.ConnectAsync();
        return ((RedisResult[]?)await client.GetDatabase().ExecuteAsync("KEYS", pattern) ?? []).Select(k => (string)k!).Order(StringComparer.Ordinal).ToList();
    }

    public static async Task<long> TtlAsync(this RedisServer redis, string key)
    {
        await using var client = await redis.ConnectAsync();
        return (long)await client.GetDatabase().ExecuteAsync("TTL", key);
    }

    private static IEnumerable<string> Flatten(RedisResult reply) => reply.Resp2Type switch
    {
        ResultType.Array => ((RedisResult[])reply!).SelectMany(Flatten),
        ResultType.BulkString when (byte[]?)reply is { } bytes => [Encoding.UTF8.GetString(bytes)],
        _ => [reply.ToString()],
    };
}
