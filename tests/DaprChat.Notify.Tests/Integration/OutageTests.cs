using DaprChat.Notify.Tests.Fakes;
using DaprChat.Testing;
using Xunit;

namespace DaprChat.Notify.Tests.Integration;

/// <summary>FCM down for everyone: its own world, so the outage (and the open circuit) touch no other test.</summary>
public sealed class OutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private readonly NotifyWorld _world = new();

    public ValueTask InitializeAsync() => _world.InitializeAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task With_FCM_down_chat_still_delivers_and_once_FCM_is_back_the_next_message_pushes_again()
    {
        var api = new Api(_world.Main);
        var student = await api.StudentAsync();
        var counselor = await api.CounselorAsync();
        var (sessionId, studentTicket) = await api.RequestChatAsync(student, counselor);
        await using var counselorSocket = await ChatSocket.ConnectAsync(_world.ChatPort, sessionId, await api.JoinAsync(counselor, sessionId));
        var device = "fcm-" + Guid.NewGuid().ToString("N");
        await api.RegisterDeviceAsync(student, device);
        _world.Fcm.Default = FakeFcm.Answer.Unavailable;

        await counselorSocket.SendMessageAsync("while FCM is down");
        await Eventually.TrueAsync(() => _world.Fcm.Attempts.Count(a => a.Token == device) >= 4, Generous, "notify tried FCM and gave up for now");

        // The chat itself is untouched by the outage: the student comes online and the conversation flows both ways.
        await using (var studentSocket = await ChatSocket.ConnectAsync(_world.ChatPort, sessionId, studentTicket))
        {
            await counselorSocket.SendMessageAsync("still there?");
            await studentSocket.MessageAsync("still there?", Generous);
            await studentSocket.SendMessageAsync("I'm here");
            await counselorSocket.MessageAsync("I'm here", Generous);
        }

        Assert.Empty(_world.Fcm.To(device));
        _world.Fcm.Default = FakeFcm.Answer.Ok;

        // The failed push was released (and answered RETRY: daprd redelivers it under the deployment's pub/sub
        // resiliency, which the local runtime does not apply, so here it is dead-lettered). The circuit may still be
        // open for a while: the counsellor keeps writing until one message gets through, and that is one push.
        var deadline = DateTimeOffset.UtcNow + Generous;
        for (var n = 0; !_world.Fcm.To(device).Any(); n++)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "no push went out after FCM came back");
            await counselorSocket.SendMessageAsync($"are you back? {n}");
            for (var i = 0; i < 30 && !_world.Fcm.To(device).Any(); i++)
            {
                await Task.Delay(100);
            }
        }

        Assert.Single(_world.Fcm.To(device));
    }
}
