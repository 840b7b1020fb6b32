using System.Diagnostics;
using System.Net.Http.Json;
using DaprChat.Chat.Testing;
using DaprChat.Contracts;

namespace DaprChat.Reliability;

public sealed record StormReport(int Clients, TimeSpan Converged, CheckReport Check)
{
    public override string ToString() => $"resume storm: {Clients} clients reconnected and converged in {Converged.TotalSeconds:F1} s; {Check}";
}

/// <summary>
/// Every client of every session is cut at the same instant (both chat instances' relays); each reconnects, resumes
/// and re-sends what was in flight. Converged: every client connected again, nothing pending, everyone at the last seq.
/// </summary>
public static class ResumeStorm
{
    private static readonly string[] Sides = ["student", "counselor"];

    public static async Task<StormReport> RunAsync(int clients, TimeSpan timeout, Action<string>? log = null)
    {
        log ??= _ => { };
        var history = new History();
        var time = TimeProvider.System;
        await using var world = new ChatWorld(redis: true, chatInstances: 2);
        await world.StartAsync();
        await using var relay0 = new TcpCutRelay(world.ChatPorts[0]);
        await using var relay1 = new TcpCutRelay(world.ChatPorts[1]);

        var sessions = new List<(string Id, ReliableClient[] Clients)>();
        for (var i = 0; i < clients / 2; i++)
        {
            var session = await world.OpenSessionAsync();
            ReliableClient[] pair =
            [
                new(session.Id, Sides[0], () => new Uri($"ws://127.0.0.1:{relay0.Port}/session/{session.Id}"), session.StudentTicket, history, time),
                new(session.Id, Sides[1], () => new Uri($"ws://127.0.0.1:{relay1.Port}/session/{session.Id}"), session.CounselorTicket, history, time),
            ];
            sessions.Add((session.Id, pair));
        }

        var all = sessions.SelectMany(s => s.Clients).ToList();
        try
        {
            foreach (var c in all)
            {
                c.Start();
            }

            await WaitAsync(() => all.All(c => c.Connections >= 1), timeout, "every client connected");
            foreach (var c in all)
            {
                await c.SendNewAsync();
            }

            await WaitAsync(() => Converged(sessions), timeout, "the first messages delivered");
            log($"{all.Count} clients connected; cutting all at once");

            // In flight at the cut: one more message per client, sent the instant before.
            foreach (var c in all)
            {
                await c.SendNewAsync();
            }

            var cutAt = Stopwatch.StartNew();
            relay0.CutAll();
            relay1.CutAll();
            await WaitAsync(() => all.All(c => c.Connections >= 2) && Converged(sessions), timeout, "every client reconnected and converged");
            var converged = cutAt.Elapsed;
            log($"converged {converged.TotalSeconds:F1} s after the cut");

            using var viaMain = world.MainSidecar.InvocationClient(DaprNames.Apps.Chat);
            var stored = new Dictionary<string, IReadOnlyList<StoredMessage>>();
            foreach (var (id, _) in sessions)
            {
                var transcript = await viaMain.GetFromJsonAsync<ChatTranscript>($"sessions/{id}/transcript", System.Text.Json.JsonSerializerOptions.Web);
                stored[id] = transcript!.Messages.Select(m => new StoredMessage(m.Sequence, m.ClientId)).ToList();
            }

            return new StormReport(all.Count, converged, HistoryChecker.Check(history, Sides, stored));
        }
        finally
        {
            await Task.WhenAll(all.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static bool Converged(List<(string Id, ReliableClient[] Clients)> sessions) =>
        sessions.All(s => s.Clients.All(c => c.Pending == 0) && s.Clients.Select(c => c.LastSeq).Distinct().Count() == 1
                          && s.Clients[0].LastSeq >= s.Clients.Length);

    private static async Task WaitAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not {what} within {timeout.TotalSeconds:F0} s");
            }

            await Task.Delay(50);
        }
    }
}
