using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace DaprChat.Bench.Chat;

/// <summary>A session's two clients, connected.</summary>
public sealed record ChatClients(string SessionId, BenchSocket Student, BenchSocket Counselor) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Student.DisposeAsync();
        await Counselor.DisposeAsync();
    }
}

public sealed record Percentiles(double P50, double P99)
{
    public static Percentiles Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return new Percentiles(DeliveryRun.Percentile(sorted, 0.50), DeliveryRun.Percentile(sorted, 0.99));
    }
}

public sealed record AppendStats(
    Percentiles Early,
    Percentiles Late,
    Percentiles Fresh,
    IReadOnlyDictionary<string, long> FirstCommands,
    IReadOnlyDictionary<string, long> LastCommands,
    IReadOnlyList<(int Message, double AtSeconds, double Ms)> Slowest,
    int Messages,
    double Seconds);

/// <summary>
/// One session, many messages, each sent when the last one is acknowledged (the ack comes after the actor stored it).
/// For the last <c>window</c> messages a new session joins and the two alternate, so "early" and "late" are also compared
/// at the same moment, which load from elsewhere on the machine cannot skew. Redis's own counters (INFO commandstats)
/// around the first and the last append show what an append costs.
/// </summary>
public static class AppendRun
{
    /// <summary>
    /// INFO commandstats also counts the commands a Lua script runs, so the state write (one EVALSHA) shows with its insides;
    /// HGETALL is the sockets reading the message, X* the fan-out stream.
    /// </summary>
    public static bool IsWrite(string command) => command != "hgetall" && command != "hmget" && !command.StartsWith('x') && command != RedisInfo.InputBytes;

    public static async Task<AppendStats> RunAsync(ChatClients session, Func<Task<ChatClients>>? openFresh, string redisAddress, int count, int window)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redisAddress + ",allowAdmin=true");
        var redis = connection.GetDatabase();
        var latencies = new double[count];
        var sentAt = new double[count];
        var freshLatencies = new List<double>();
        IReadOnlyDictionary<string, long> first = new Dictionary<string, long>();
        IReadOnlyDictionary<string, long> last = first;
        ChatClients? fresh = null;
        Task delivered = Task.CompletedTask;
        var start = Stopwatch.GetTimestamp();
        try
        {
            for (var n = 1; n <= count; n++)
            {
                if (n == count - window + 1 && openFresh is not null)
                {
                    fresh = await openFresh();
                }

                if (fresh is not null)
                {
                    var (freshMs, freshDelivered) = await SendAsync(fresh, "f-" + (freshLatencies.Count + 1).ToString(CultureInfo.InvariantCulture));
                    freshLatencies.Add(freshMs);
                    delivered = freshDelivered;
                }

                var measured = n == 1 || n == count;
                Dictionary<string, long>? before = null;
                if (measured)
                {
                    // Quiet first: earlier messages' fan-out and deliveries must not be counted in this one's window.
                    await delivered.WaitAsync(TimeSpan.FromSeconds(30));
                    await Task.Delay(500);
                    before = await RedisInfo.CountersAsync(redis);
                }

                sentAt[n - 1] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                (latencies[n - 1], delivered) = await SendAsync(session, "a-" + n.ToString(CultureInfo.InvariantCulture));
                if (measured)
                {
                    // Until both sockets hold it, plus a moment for the fan-out acknowledgements (XACK) that follow delivery.
                    await delivered.WaitAsync(TimeSpan.FromSeconds(30));
                    await Task.Delay(200);
                    var after = await RedisInfo.CountersAsync(redis);
                    var used = (IReadOnlyDictionary<string, long>)after.Where(c => c.Key != "info" && c.Value != before!.GetValueOrDefault(c.Key))
                        .ToDictionary(c => c.Key, c => c.Value - before!.GetValueOrDefault(c.Key));
                    (first, last) = n == 1 ? (used, last) : (first, used);
                }
            }
        }
        finally
        {
            if (fresh is not null)
            {
                await fresh.DisposeAsync();
            }
        }

        // The slowest acks of the run and when they happened, to tell periodic work (lease renewals, redelivery scans) from noise.
        var slowest = latencies.Select((ms, i) => (Message: i + 1, AtSeconds: sentAt[i], Ms: ms)).OrderByDescending(x => x.Ms).Take(5).ToList();
        return new AppendStats(Percentiles.Of(latencies.Take(window)), Percentiles.Of(latencies.Skip(count - window)),
            Percentiles.Of(freshLatencies.DefaultIfEmpty(double.NaN)), first, last, slowest, count, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    public static long WriteTotal(IReadOnlyDictionary<string, long> commands) => commands.Where(c => IsWrite(c.Key)).Sum(c => c.Value);

    public static long CommandTotal(IReadOnlyDictionary<string, long> commands) => commands.Where(c => c.Key != RedisInfo.InputBytes).Sum(c => c.Value);

    public static string Describe(IReadOnlyDictionary<string, long> commands) =>
        string.Join(", ", commands.Where(c => c.Key != RedisInfo.InputBytes).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    /// <summary>Sends from the student; returns the send → ack latency and a task that completes when both sockets hold the message.</summary>
    private static async Task<(double Ms, Task Delivered)> SendAsync(ChatClients clients, string clientId)
    {
        var frame = BenchSocket.SendFrame(clientId, DeliveryRun.Content);
        var ack = clients.Student.Expect("ack", clientId);
        var delivered = Task.WhenAll(clients.Student.Expect("message", clientId), clients.Counselor.Expect("message", clientId));
        var sent = Stopwatch.GetTimestamp();
        await clients.Student.SendAsync(frame);
        return (Stopwatch.GetElapsedTime(sent, await ack.WaitAsync(TimeSpan.FromSeconds(30))).TotalMilliseconds, delivered);
    }
}
