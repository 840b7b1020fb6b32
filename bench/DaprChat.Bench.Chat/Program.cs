using DaprChat.Chat.Testing;
using System.Globalization;
using StackExchange.Redis;

namespace DaprChat.Bench.Chat;

/// <summary>
/// Chat end to end against a bare WebSocket relay, measured in this run on this machine and reported as ratios,
/// because absolute numbers on a shared 2-core box drift. Then the cost of an append early and late in a long chat.
/// </summary>
public static class ChatBench
{
    private const int Warmup = 20;
    private const int Window = 100;
    private const int Rounds = 4;
    private const int AppendWarmup = 2000;

    public static async Task<int> Main(string[] args)
    {
        var sessions = Arg(args, 0, 20);
        var perSession = Arg(args, 1, 200);
        var appends = Arg(args, 2, 10_000);

        // WebApplicationFactory finds chat's content root through MvcTestingAppManifest.json in the current directory, as under a test runner.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);

        // The per-socket flood limit (5 frames/s, bursts of 20) would measure the limiter, not the path; raised for the bench only.
        var settings = new Dictionary<string, string?>
        {
            ["Chat:FramesPerSecond"] = "1000000",
            ["Chat:FrameBurst"] = "1000000",
        };
        await using var world = new ChatWorld(redis: true, chatInstances: 2, settings);
        await world.StartAsync();
        await using var relay = await RawRelay.StartAsync();
        Console.WriteLine($"chat (2 instances: students on one, counsellors on the other; local runtime; Redis) vs raw Kestrel relay: {sessions} sessions x {perSession} messages "
                          + $"(after {Warmup} warm-up each, in {Rounds} interleaved rounds), then {appends:N0} appends in one session; {Environment.ProcessorCount} cores");

        // Each session's student on instance 0 and counsellor on instance 1, so every message crosses instances by fan-out.
        var chatSockets = new List<BenchSocket>();
        var chatPairs = new List<ClientPair>();
        var actorOnSender = 0;
        for (var i = 0; i < sessions; i++)
        {
            var session = await world.OpenSessionAsync();
            var student = await BenchSocket.ConnectAsync(world.SocketUri(session.Id, 0), session.StudentTicket);
            var counselor = await BenchSocket.ConnectAsync(world.SocketUri(session.Id, 1), session.CounselorTicket);
            chatSockets.AddRange([student, counselor]);
            chatPairs.Add(new ClientPair(student, counselor, "message"));
            actorOnSender += world.ActorInstance(session.Id) == 0 ? 1 : 0;
        }

        var rawSockets = new List<BenchSocket>();
        var rawPairs = new List<ClientPair>();
        for (var i = 0; i < sessions; i++)
        {
            var a = await BenchSocket.ConnectAsync(relay.PairUri($"p{i}"), null);
            var b = await BenchSocket.ConnectAsync(relay.PairUri($"p{i}"), null);
            rawSockets.AddRange([a, b]);
            rawPairs.Add(new ClientPair(a, b, "send"));
        }

        await using var cpu = new CpuClock(world.Redis!.Address);
        await DeliveryRun.RunAsync(rawPairs, "warm", Warmup, cpu, null);
        await DeliveryRun.RunAsync(chatPairs, "warm", Warmup, cpu, null);
        // Interleaved rounds, so that whatever else loads the machine for a while falls on both paths alike.
        var rawSamples = new DeliverySamples();
        var fullSamples = new DeliverySamples();
        for (var round = 0; round < Rounds; round++)
        {
            var messages = (perSession / Rounds) + (round < perSession % Rounds ? 1 : 0);
            await DeliveryRun.RunAsync(rawPairs, $"r{round}", messages, cpu, rawSamples);
            await DeliveryRun.RunAsync(chatPairs, $"r{round}", messages, cpu, fullSamples);
        }

        var raw = rawSamples.Stats();
        var full = fullSamples.Stats();
        foreach (var socket in chatSockets.Concat(rawSockets))
        {
            await socket.DisposeAsync();
        }

        // A throw-away session first: in trial runs the first thousand or so sequential sends kept getting faster (warm-up),
        // which would flatter the late messages against the early ones.
        await using (var warm = await ConnectAsync(world))
        {
            await AppendRun.RunAsync(warm, null, world.Redis!.Address, AppendWarmup, Window);
        }

        await using var chat = await ConnectAsync(world);
        var actorInstance = world.ActorInstance(chat.SessionId);
        // The fresh session's actor on the same instance as the long one's, so both take the same hops.
        var append = await AppendRun.RunAsync(chat, () => ConnectAsync(world, actorInstance), world.Redis!.Address, appends, Window);

        Console.WriteLine();
        Console.WriteLine($"Delivery, send → receipt at the other client ({full.Messages:N0} messages each; the session's actor on the sender's instance for {actorOnSender} of {sessions} sessions):");
        Console.WriteLine();
        Console.WriteLine("| measure | full path (chat) | raw relay | ratio |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| delivery p50 | {Ms(full.P50)} | {Ms(raw.P50)} | {Ratio(full.P50, raw.P50)} |");
        Console.WriteLine($"| delivery p99 | {Ms(full.P99)} | {Ms(raw.P99)} | {Ratio(full.P99, raw.P99)} |");
        Console.WriteLine($"| delivery max | {Ms(full.Max)} | {Ms(raw.Max)} | {Ratio(full.Max, raw.Max)} |");
        Console.WriteLine($"| throughput | {full.MessagesPerSecond:N0} msg/s | {raw.MessagesPerSecond:N0} msg/s | {Ratio(full.MessagesPerSecond, raw.MessagesPerSecond)} |");
        Console.WriteLine($"| CPU per message (this process + redis-server) | {Ms(full.CpuMsPerMessage)} | {Ms(raw.CpuMsPerMessage)} | {Ratio(full.CpuMsPerMessage, raw.CpuMsPerMessage)} |");
        Console.WriteLine();
        var lateRange = $"{append.Messages - Window + 1:N0}–{append.Messages:N0}";
        Console.WriteLine($"Append, send → ack, one session of {append.Messages:N0} messages in {append.Seconds:0.0} s (after a {AppendWarmup:N0}-message warm-up session); "
                          + $"for messages {lateRange} a new session sends its 1–{Window} alternately with them:");
        Console.WriteLine();
        Console.WriteLine($"| measure | early | messages {lateRange} | ratio late / early |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| ack p50, same session: messages 1–{Window} (at the start) | {Ms(append.Early.P50)} | {Ms(append.Late.P50)} | {Ratio(append.Late.P50, append.Early.P50)} |");
        Console.WriteLine($"| ack p99, same session | {Ms(append.Early.P99)} | {Ms(append.Late.P99)} | {Ratio(append.Late.P99, append.Early.P99)} |");
        Console.WriteLine($"| ack p50, same moment: a new session's 1–{Window} | {Ms(append.Fresh.P50)} | {Ms(append.Late.P50)} | {Ratio(append.Late.P50, append.Fresh.P50)} |");
        Console.WriteLine($"| ack p99, same moment | {Ms(append.Fresh.P99)} | {Ms(append.Late.P99)} | {Ratio(append.Late.P99, append.Fresh.P99)} |");
        long firstWrite = AppendRun.WriteTotal(append.FirstCommands), lastWrite = AppendRun.WriteTotal(append.LastCommands);
        long firstAll = AppendRun.CommandTotal(append.FirstCommands), lastAll = AppendRun.CommandTotal(append.LastCommands);
        long firstBytes = append.FirstCommands.GetValueOrDefault(RedisInfo.InputBytes), lastBytes = append.LastCommands.GetValueOrDefault(RedisInfo.InputBytes);
        Console.WriteLine($"| Redis commands of the state write: message 1 vs {append.Messages:N0} | {firstWrite} | {lastWrite} | {Ratio(lastWrite, firstWrite)} |");
        Console.WriteLine($"| all Redis commands, send → both sockets hold it: message 1 vs {append.Messages:N0} | {firstAll} | {lastAll} | {Ratio(lastAll, firstAll)} |");
        Console.WriteLine($"| bytes Redis received, same window: message 1 vs {append.Messages:N0} | {firstBytes:N0} | {lastBytes:N0} | {Ratio(lastBytes, firstBytes)} |");
        Console.WriteLine();
        Console.WriteLine($"commands, message 1: {AppendRun.Describe(append.FirstCommands)}");
        Console.WriteLine($"commands, message {append.Messages:N0}: {AppendRun.Describe(append.LastCommands)}");
        Console.WriteLine("slowest acks: " + string.Join(", ", append.Slowest.Select(s => $"#{s.Message:N0} at {s.AtSeconds:0.0} s {Ms(s.Ms)}")));
        await using var redis = await world.Redis!.ConnectAsync();
        var persistence = await RedisInfo.ReadAsync(redis.GetDatabase(), "persistence");
        Console.WriteLine($"redis (appendfsync always, as in the tests): {persistence.Number("aof_rewrites")} AOF rewrites in the run, AOF now {persistence.Number("aof_current_size") / 1e6:0.0} MB");
        return 0;
    }

    /// <summary>A new session with its student on instance 0 and counsellor on instance 1; its actor on a given instance if asked.</summary>
    private static async Task<ChatClients> ConnectAsync(ChatWorld world, int? actorInstance = null)
    {
        var session = await world.OpenSessionAsync();
        while (actorInstance is { } wanted && world.ActorInstance(session.Id) != wanted)
        {
            session = await world.OpenSessionAsync();
        }

        return new ChatClients(session.Id, await BenchSocket.ConnectAsync(world.SocketUri(session.Id, 0), session.StudentTicket),
            await BenchSocket.ConnectAsync(world.SocketUri(session.Id, 1), session.CounselorTicket));
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Ratio(double a, double b) => (a / b).ToString(a / b < 0.1 ? "0.000" : a / b < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "×";
}
