using System.Diagnostics;

namespace DaprChat.Bench.Chat;

/// <summary>One session's two clients: the sender's frames must arrive at the receiver as frames of <paramref name="DeliveredType"/>.</summary>
public sealed record ClientPair(BenchSocket Sender, BenchSocket Receiver, string DeliveredType);

public sealed record DeliveryStats(double P50, double P99, double Max, double MessagesPerSecond, double CpuMsPerMessage, int Messages, double Seconds);

/// <summary>
/// Every pair sends concurrently, each one message at a time: the next is sent when the other client holds the last
/// one (a closed loop, as people in a chat wait for each other), so latency is not inflated by a self-made backlog.
/// </summary>
public static class DeliveryRun
{
    /// <summary>Fixed text of ordinary length; never printed.</summary>
    public const string Content = "I've had a hard week and I'm not sure where to start, sorry.";

    /// <summary>Every pair sends <paramref name="messages"/> concurrently; with <paramref name="into"/>, the latencies and wall time are kept.</summary>
    public static async Task RunAsync(IReadOnlyList<ClientPair> pairs, string round, int messages, CpuClock cpu, DeliverySamples? into)
    {
        var latencies = pairs.Select(_ => new double[messages]).ToArray();
        var cpuBefore = await cpu.NowAsync();
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(pairs.Select((pair, i) => SendAsync(pair, $"{round}-{i}-", latencies[i])));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        into?.Add(latencies.SelectMany(l => l), seconds, await cpu.NowAsync() - cpuBefore);
    }

    /// <summary>Nearest rank: of 100 samples, p99 is the 99th, not the largest.</summary>
    public static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(sorted.Length * p) - 1, 0, sorted.Length - 1)];

    private static async Task SendAsync(ClientPair pair, string prefix, double[] latencies)
    {
        // Off the caller's thread at once, so the pairs start together.
        await Task.Yield();
        for (var i = 0; i < latencies.Length; i++)
        {
            var clientId = prefix + i;
            var frame = BenchSocket.SendFrame(clientId, Content);
            var delivered = pair.Receiver.Expect(pair.DeliveredType, clientId);
            var sent = Stopwatch.GetTimestamp();
            await pair.Sender.SendAsync(frame);
            latencies[i] = Stopwatch.GetElapsedTime(sent, await delivered.WaitAsync(TimeSpan.FromSeconds(30))).TotalMilliseconds;
        }
    }
}

/// <summary>Latencies and wall time gathered over several rounds of one path.</summary>
public sealed class DeliverySamples
{
    private readonly List<double> _latencies = [];
    private double _seconds;
    private double _cpuSeconds;

    public void Add(IEnumerable<double> latencies, double seconds, double cpuSeconds)
    {
        _latencies.AddRange(latencies);
        _seconds += seconds;
        _cpuSeconds += cpuSeconds;
    }

    public DeliveryStats Stats()
    {
        var sorted = _latencies.Order().ToArray();
        return new DeliveryStats(DeliveryRun.Percentile(sorted, 0.50), DeliveryRun.Percentile(sorted, 0.99), sorted[^1], sorted.Length / _seconds,
            _cpuSeconds * 1000 / sorted.Length, sorted.Length, _seconds);
    }
}
