using System.Diagnostics;
using StackExchange.Redis;

namespace DaprChat.Bench.Chat;

/// <summary>
/// CPU seconds used so far by this process (clients, relay, chat apps, sidecars) and by redis-server. CPU per message
/// barely moves when other work loads the machine, unlike wall-clock latency, so it is the steadier ratio.
/// </summary>
public sealed class CpuClock(string redisAddress) : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis = ConnectionMultiplexer.Connect(redisAddress + ",allowAdmin=true");

    public async Task<double> NowAsync()
    {
        using var self = Process.GetCurrentProcess();
        var redis = await RedisInfo.ReadAsync(_redis.GetDatabase(), "cpu");
        return self.TotalProcessorTime.TotalSeconds + redis.Number("used_cpu_sys") + redis.Number("used_cpu_user");
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
