using System.Globalization;
using StackExchange.Redis;

namespace DaprChat.Bench.Chat;

/// <summary>Redis's own counters, read with INFO: what the server did, whoever asked for it.</summary>
public static class RedisInfo
{
    /// <summary>The <c>name:value</c> lines of one INFO section.</summary>
    public static async Task<Dictionary<string, string>> ReadAsync(IDatabase redis, string section)
    {
        var text = (string?)await redis.ExecuteAsync("INFO", section) ?? "";
        return text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#') && l.Contains(':', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);
    }

    public static double Number(this Dictionary<string, string> info, string name) =>
        info.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : 0;

    /// <summary>Calls per command so far (INFO commandstats also counts the commands Lua scripts run), plus bytes received.</summary>
    public static async Task<Dictionary<string, long>> CountersAsync(IDatabase redis)
    {
        var counters = (await ReadAsync(redis, "commandstats"))
            .Where(c => c.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(c => c.Key["cmdstat_".Length..], c => long.Parse(c.Value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        counters[InputBytes] = (long)(await ReadAsync(redis, "stats")).Number("total_net_input_bytes");
        return counters;
    }

    /// <summary>Not a command: bytes Redis received from its clients, kept among the counters so one delta covers both.</summary>
    public const string InputBytes = "(bytes received)";
}
