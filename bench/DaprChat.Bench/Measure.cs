using System.Diagnostics;

namespace DaprChat.Bench;

public sealed record Stats(double P50, double P99, double Mean);

public static class Measure
{
    /// <summary>Runs the operation sequentially, a tenth of the count as warm-up, and returns latency percentiles in ms.</summary>
    public static async Task<Stats> RunAsync(int iterations, Func<int, Task> operation)
    {
        for (var i = 0; i < Math.Max(10, iterations / 10); i++)
        {
            await operation(-1 - i);
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation(i);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return new Stats(samples[iterations / 2], samples[(int)(iterations * 0.99)], samples.Average());
    }
}
