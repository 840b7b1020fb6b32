using System.Security.Cryptography;
using DaprChat.Contracts;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>Who may open a socket on a session, refused before the upgrade with the fitting HTTP status.</summary>
public sealed class AdmissionTests(RedisChatWorld world) : IClassFixture<RedisChatWorld>
{
    [Fact]
    public async Task A_ticket_for_session_A_is_refused_on_session_Bs_url()
    {
        var a = await world.OpenSessionAsync();
        var b = await world.OpenSessionAsync();

        Assert.Equal(403, await ChatSocket.RefusalAsync(world.SocketUri(b.Id), a.StudentTicket));
    }

    [Fact]
    public async Task A_strangers_valid_ticket_for_the_session_is_refused()
    {
        var session = await world.OpenSessionAsync();
        var stranger = new ChatParticipant("anon_stranger", Roles.Student, "Stranger");

        var ticket = world.Ticket(session.Id, stranger, DateTimeOffset.UtcNow.AddHours(1));

        Assert.Equal(403, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), ticket));
    }

    [Fact]
    public async Task No_ticket_an_expired_ticket_or_one_signed_by_another_key_is_refused_401()
    {
        var session = await world.OpenSessionAsync();
        var expired = world.Ticket(session.Id, session.Student, DateTimeOffset.UtcNow.AddSeconds(-30));
        var forged = world.Ticket(session.Id, session.Student, DateTimeOffset.UtcNow.AddHours(1),
            new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = world.SigningKey.KeyId });

        Assert.Equal(401, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), null));
        Assert.Equal(401, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), expired));
        Assert.Equal(401, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), forged));
        Assert.Equal(401, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), "not.a.jwt"));
    }

    [Fact]
    public async Task A_page_from_an_origin_outside_the_allowlist_is_refused_403()
    {
        var session = await world.OpenSessionAsync();

        Assert.Equal(403, await ChatSocket.RefusalAsync(world.SocketUri(session.Id), session.StudentTicket, "https://evil.example"));
    }

    [Fact]
    public async Task A_ticket_for_a_session_chat_never_opened_is_refused_404()
    {
        var id = Guid.NewGuid().ToString("N");
        var ticket = world.Ticket(id, new ChatParticipant("anon_x", Roles.Student, "X"), DateTimeOffset.UtcNow.AddHours(1));

        Assert.Equal(404, await ChatSocket.RefusalAsync(world.SocketUri(id), ticket));
    }

    [Fact]
    public async Task A_plain_http_request_is_told_to_upgrade()
    {
        var session = await world.OpenSessionAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync($"http://127.0.0.1:{world.ChatPorts[0]}/session/{session.Id}");

        Assert.Equal(426, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_native_client_may_present_the_ticket_as_a_bearer_header()
    {
        var session = await world.OpenSessionAsync();
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + session.CounselorTicket);

        await socket.ConnectAsync(world.SocketUri(session.Id), CancellationToken.None);

        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
    }
}
