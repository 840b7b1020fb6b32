using System.Net.WebSockets;
using System.Text.Json.Nodes;
using DaprChat.Chat.Testing;
using Xunit;

namespace DaprChat.Reliability.Tests;

public class BadFrameTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_generated_bad_frames_each_get_the_documented_error_and_the_socket_still_works()
    {
        // The flood limit would answer rate_limited and close; it is raised so every frame reaches the parser.
        await using var world = new ChatWorld(redis: true, chatInstances: 1, new Dictionary<string, string?>
        {
            ["Chat:FramesPerSecond"] = "1000000",
            ["Chat:FrameBurst"] = "1000000",
        });
        await world.StartAsync();
        var session = await world.OpenSessionAsync();
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("daprchat.v1");
        socket.Options.AddSubProtocol("daprchat.ticket." + session.StudentTicket);
        await socket.ConnectAsync(world.SocketUri(session.Id), CancellationToken.None);
        Assert.Equal("welcome", (string?)(await NextAsync(socket))["type"]);

        var wrong = new List<string>();
        var count = 0;
        foreach (var (frame, codes) in BadFrames.Generate(seed: 17, count: 1000))
        {
            count++;
            await socket.SendAsync(BadFrames.Utf8(frame), WebSocketMessageType.Text, true, CancellationToken.None);
            var answer = await NextAsync(socket);
            if ((string?)answer["type"] != "error" || !codes.Contains((string?)answer["code"]))
            {
                wrong.Add($"{frame[..Math.Min(frame.Length, 80)]} -> {answer.ToJsonString()[..Math.Min(answer.ToJsonString().Length, 120)]}");
            }
        }

        await socket.SendAsync(BadFrames.Utf8("{\"v\":1,\"type\":\"send\",\"clientId\":\"after-fuzz\",\"content\":\"still here\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
        JsonObject next;
        do
        {
            next = await NextAsync(socket);
        }
        while ((string?)next["type"] != "ack");

        output.WriteLine($"{count} bad frames, {wrong.Count} answered otherwise");
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong.Take(20)));
        Assert.Equal(1L, (long)next["seq"]!);
    }

    private static async Task<JsonObject> NextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        Assert.True(result.MessageType == WebSocketMessageType.Text, $"closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
        return JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject();
    }
}
