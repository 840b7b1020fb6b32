using System.Diagnostics;
using System.Net.Http.Json;
using DaprChat.Chat.Testing;
using DaprChat.Contracts;

namespace DaprChat.Reliability;

/// <summary>What a fault run does; the CI test uses small numbers, the long mode the (50 sessions, 200 msg/s).</summary>
public sealed record FaultRunOptions(
    int Seed = 17,
    int Sessions = 10,
    double MessagesPerSecond = 30,
    TimeSpan? Duration = null,
    TimeSpan? MeanFaultInterval = null,
    TimeSpan? MaxRedisPause = null,
    TimeSpan? SettleTimeout = null)
{
    public TimeSpan RunFor => Duration ?? TimeSpan.FromSeconds(30);
    public TimeSpan FaultEvery => MeanFaultInterval ?? TimeSpan.FromSeconds(4);
    public TimeSpan RedisPause => MaxRedisPause ?? TimeSpan.FromSeconds(3);
    public TimeSpan Settle => SettleTimeout ?? TimeSpan.FromSeconds(90);
}

/// <summary>
/// Two chat instances behind their sidecars on real Redis (AOF, fsync always); each session's student talks to chat 0
/// and its counsellor to chat 1, each through a <see cref="TcpCutRelay"/>. While both sides send, seeded faults hit at
/// random moments: a network cut, a Redis restart, a Redis pause. Then the run settles and the history is checked
/// against the transcript chat serves to main.
/// </summary>
public static class FaultRun
{
    private static readonly string[] Sides = ["student", "counselor"];

    public static async Task<CheckReport> RunAsync(FaultRunOptions options, Action<string>? log = null)
    {
        log ??= _ => { };
        var random = new Random(options.Seed);
        var time = TimeProvider.System;
        var history = new History();
        await using var world = new ChatWorld(redis: true, chatInstances: 2);
        await world.StartAsync();
        await using var relay0 = new TcpCutRelay(world.ChatPorts[0]);
        await using var relay1 = new TcpCutRelay(world.ChatPorts[1]);
        TcpCutRelay[] relays = [relay0, relay1];

        var sessions = new List<(TestSession Session, ReliableClient[] Clients)>();
        for (var i = 0; i < options.Sessions; i++)
        {
            var session = await world.OpenSessionAsync();
            ReliableClient[] clients =
            [
                new(session.Id, Sides[0], () => new Uri($"ws://127.0.0.1:{relay0.Port}/session/{session.Id}"), session.StudentTicket, history, time),
                new(session.Id, Sides[1], () => new Uri($"ws://127.0.0.1:{relay1.Port}/session/{session.Id}"), session.CounselorTicket, history, time),
            ];
            foreach (var c in clients)
            {
                c.Start();
            }

            sessions.Add((session, clients));
        }

        var all = sessions.SelectMany(s => s.Clients).ToList();
        using var stop = new CancellationTokenSource(options.RunFor);
        var senders = Task.Run(async () =>
        {
            // One send every 1/rate seconds to a seeded random client: the load is the target rate in total.
            var senderRandom = new Random(options.Seed + 1);
            var interval = TimeSpan.FromSeconds(1 / options.MessagesPerSecond);
            var next = Stopwatch.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                await all[senderRandom.Next(all.Count)].SendNewAsync();
                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, CancellationToken.None);
                }
            }
        });

        var faults = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var wait = TimeSpan.FromMilliseconds(options.FaultEvery.TotalMilliseconds * (0.5 + random.NextDouble()));
                try
                {
                    await Task.Delay(wait, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var kind = random.Next(3);
                try
                {
                    await InjectAsync(kind);
                }
                catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
                {
                    // A fault the harness could not complete (Redis slow to load its AOF) is reported, not fatal: the checker still runs.
                    log($"fault {kind} did not complete: {ex.Message}");
                }
            }
        });

        async Task InjectAsync(int kind)
        {
                switch (kind)
                {
                    case 0:
                        var which = random.Next(relays.Length);
                        history.Fault(new FaultInjected($"cut-chat{which}", time.GetUtcNow()));
                        log($"fault: network cut to chat {which} ({relays[which].CutAll()} connections)");
                        break;
                    case 1:
                        history.Fault(new FaultInjected("redis-restart", time.GetUtcNow()));
                        log("fault: redis restart");
                        await world.Redis!.RestartAsync();
                        break;
                    default:
                        var pause = TimeSpan.FromMilliseconds(options.RedisPause.TotalMilliseconds * (0.3 + 0.7 * random.NextDouble()));
                        history.Fault(new FaultInjected("redis-pause", time.GetUtcNow()));
                        log($"fault: redis pause {pause.TotalMilliseconds:F0} ms");
                        await world.Redis!.PauseAsync(pause);
                        break;
                }
        }

        await Task.WhenAll(senders, faults);
        log("load stopped; settling");

        // Settled: nothing pending on any client and both sides hold the stored transcript's last seq.
        using var viaMain = world.MainSidecar.InvocationClient(DaprNames.Apps.Chat);
        var stored = new Dictionary<string, IReadOnlyList<StoredMessage>>();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            stored.Clear();
            var settled = true;
            foreach (var (session, clients) in sessions)
            {
                var transcript = await ReadTranscriptAsync(viaMain, session.Id);
                stored[session.Id] = transcript;
                var last = transcript.Count == 0 ? 0 : transcript[^1].Seq;
                settled &= transcript.Count > 0 || clients.All(c => c.Pending == 0);
                settled &= clients.All(c => c.Pending == 0 && c.LastSeq == last);
            }

            if (settled || deadline.Elapsed > options.Settle)
            {
                break;
            }

            // A client that missed a live event holds a lower seq until its next connection resumes it (as the web client would on reconnect).
            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                foreach (var (_, clients) in sessions)
                {
                    foreach (var c in clients.Where(c => c.Pending > 0))
                    {
                        c.Drop();
                    }
                }
            }

            await Task.Delay(500);
        }

        log($"settled after {deadline.Elapsed.TotalSeconds:F1} s");
        foreach (var (_, clients) in sessions)
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }

        return HistoryChecker.Check(history, Sides, stored);
    }

    private static async Task<IReadOnlyList<StoredMessage>> ReadTranscriptAsync(HttpClient viaMain, string sessionId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var transcript = await viaMain.GetFromJsonAsync<ChatTranscript>($"sessions/{sessionId}/transcript", System.Text.Json.JsonSerializerOptions.Web, timeout.Token);
            return transcript!.Messages.Select(m => new StoredMessage(m.Sequence, m.ClientId)).ToList();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return [];
        }
    }
}
