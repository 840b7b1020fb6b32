using System.Diagnostics;
using System.Globalization;
using DaprChat.Reliability;

// Long mode: dotnet run --project bench/DaprChat.Bench.Reliability -c Release -- [--seed N] [--sessions N] [--rate MSG_PER_S]
//   [--minutes M] [--fault-every S] [--redis-pause S], or --storm CLIENTS. Prints the checker's figures and, as a soak, memory and handle growth.
// --storm N: only the resume storm with N clients (1,000 for the figure).
var storm = Array.IndexOf(args, "--storm");
if (storm >= 0)
{
    Directory.SetCurrentDirectory(AppContext.BaseDirectory);
    var clients = int.Parse(args[storm + 1], CultureInfo.InvariantCulture);
    var result = await ResumeStorm.RunAsync(clients, TimeSpan.FromMinutes(5), Console.WriteLine);
    Console.WriteLine(result);
    return result.Check.Ok ? 0 : 1;
}

var options = new FaultRunOptions(Seed: 17, Sessions: 50, MessagesPerSecond: 200, Duration: TimeSpan.FromMinutes(5));
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
    options = args[i] switch
    {
        "--seed" => options with { Seed = (int)value },
        "--sessions" => options with { Sessions = (int)value },
        "--rate" => options with { MessagesPerSecond = value },
        "--minutes" => options with { Duration = TimeSpan.FromMinutes(value) },
        "--fault-every" => options with { MeanFaultInterval = TimeSpan.FromSeconds(value) },
        "--redis-pause" => options with { MaxRedisPause = TimeSpan.FromSeconds(value) },
        _ => throw new ArgumentException($"unknown option {args[i]}"),
    };
}

// WebApplicationFactory finds chat's content root through MvcTestingAppManifest.json in the current directory, as under a test runner.
Directory.SetCurrentDirectory(AppContext.BaseDirectory);
var process = Process.GetCurrentProcess();
var started = Stopwatch.StartNew();
(long Memory, int Handles, int Threads) Sample()
{
    process.Refresh();
    return (process.WorkingSet64, process.HandleCount, process.Threads.Count);
}

var samples = new List<(TimeSpan At, long Memory, int Handles, int Threads)>();
using var sampling = new PeriodicTimer(TimeSpan.FromSeconds(10));
var sampler = Task.Run(async () =>
{
    while (await sampling.WaitForNextTickAsync())
    {
        var s = Sample();
        samples.Add((started.Elapsed, s.Memory, s.Handles, s.Threads));
        Console.WriteLine($"[{started.Elapsed:hh\\:mm\\:ss}] working set {s.Memory / 1048576} MB, handles {s.Handles}, threads {s.Threads}");
    }
});

Console.WriteLine($"fault run: {options}");
var report = await FaultRun.RunAsync(options, line => Console.WriteLine($"[{started.Elapsed:hh\\:mm\\:ss}] {line}"));
sampling.Dispose();
await sampler;
Console.WriteLine(report);
if (samples.Count >= 2)
{
    // Growth from the first sample after warm-up to the last: a leak shows as steady growth over a long run.
    var (first, last) = (samples[0], samples[^1]);
    Console.WriteLine($"soak: working set {first.Memory / 1048576} -> {last.Memory / 1048576} MB, handles {first.Handles} -> {last.Handles}, threads {first.Threads} -> {last.Threads} over {(last.At - first.At).TotalMinutes:F1} min");
}

return report.Ok ? 0 : 1;
