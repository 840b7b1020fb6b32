using System.Net.WebSockets;
using DaprChat.Contracts;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>Idle sockets and sockets whose instance died without a word are cleaned up (here in seconds).</summary>
public sealed class CleanupTests(QuickCleanupWorld world) : IClassFixture<QuickCleanupWorld>
{
    [Fact]
    public async Task A_socket_that_sends_nothing_is_closed_as_idle_and_one_that_pings_stays_open()
    {
        var session = await world.OpenSessionAsync();
        await using var quiet = await world.ConnectAsync(session.Id, session.StudentTicket);
        await using var pinging = await world.ConnectAsync(session.Id, session.CounselorTicket);

        for (var i = 0; i < 8; i++)
        {
            await pinging.SendAsync(new { v = 1, type = "ping", id = "keepalive" });
            await Task.Delay(500);
        }

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await quiet.ClosedAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("idle", quiet.CloseDescription);
        Assert.Equal(WebSocketState.Open, pinging.Raw.State);
    }

    [Fact]
    public async Task A_participant_whose_instance_stops_renewing_goes_offline_when_the_lease_lapses()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);
        await student.NextAsync("welcome");

        // An instance admits the counsellor's socket, then dies: no renewals, no leave.
        await world.Room(session.Id).AdmitAsync(new ChatConnectionRequest(session.Counselor.Id, "socket-on-a-dead-instance"));
        var online = await student.NextAsync("presence");
        using var stop = new CancellationTokenSource();
        var keepAlive = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await student.SendAsync(new { v = 1, type = "ping" });
                await Task.Delay(500, CancellationToken.None);
            }
        });
        var offline = await student.NextAsync("presence", TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await keepAlive;

        Assert.True(online["online"]!.GetValue<bool>());
        Assert.Equal(session.Counselor.Id, offline["participantId"]!.GetValue<string>());
        Assert.False(offline["online"]!.GetValue<bool>());
    }
}
