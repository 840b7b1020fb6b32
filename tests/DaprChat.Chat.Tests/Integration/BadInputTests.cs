using System.Net.WebSockets;
using System.Text;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>A corpus of bad frames: each gets an error frame or a close with the fitting code; nobody else's chat suffers.</summary>
public sealed class BadInputTests(RedisChatWorld world) : IClassFixture<RedisChatWorld>
{
    public static TheoryData<string, string> ErrorFrames() => new()
    {
        { "{", "bad_json" },
        { "not json", "bad_json" },
        { "[1,2,3]", "bad_frame" },
        { """{"type":"send","clientId":"a","content":"x"}""", "unsupported_version" },
        { """{"v":2,"type":"send","clientId":"a","content":"x"}""", "unsupported_version" },
        { """{"v":1}""", "bad_frame" },
        { """{"v":1,"type":"dance"}""", "unknown_type" },
        { """{"v":1,"type":"send","content":"no client id"}""", "bad_client_id" },
        { """{"v":1,"type":"send","clientId":"a"}""", "bad_frame" },
        { """{"v":1,"type":"send","clientId":"a","content":""}""", "empty_message" },
        { """{"v":1,"type":"send","clientId":"a","content":"   \n\t "}""", "empty_message" },
        { """{"v":1,"type":"send","clientId":"a","content":42}""", "bad_frame" },
        { """{"v":1,"type":"read","upToSeq":-1}""", "bad_frame" },
        { """{"v":1,"type":"resume","afterSeq":"x"}""", "bad_frame" },
        { """{"v":1,"type":"typing"}""", "bad_frame" },
        { """{"v":1,"type":"send","clientId":"a","content":"x","n":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}""", "too_deep" },
    };

    [Theory]
    [MemberData(nameof(ErrorFrames))]
    public async Task A_bad_frame_gets_an_error_frame_with_its_code_and_the_socket_stays_usable(string frame, string code)
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);

        await student.SendTextAsync(frame);
        var error = await student.NextAsync("error");
        await student.SendMessageAsync("after", "still here");
        var ack = await student.NextAsync("ack");

        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Equal(1, ack["seq"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_message_over_4000_characters_is_refused_and_one_of_exactly_4000_emoji_is_stored()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);

        await student.SendMessageAsync("long", new string('a', 4001));
        var error = await student.NextAsync("error");
        // Written by hand: System.Text.Json escapes emoji to \u pairs, which browsers' JSON.stringify does not.
        await student.SendTextAsync($$"""{"v":1,"type":"send","clientId":"emoji","content":"{{string.Concat(Enumerable.Repeat("🙂", 4000))}}"}""");
        var ack = await student.NextAsync("ack");

        Assert.Equal("message_too_long", error["code"]!.GetValue<string>());
        Assert.Equal("long", error["clientId"]!.GetValue<string>());
        Assert.Equal("emoji", ack["clientId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_frame_over_16_KB_closes_the_socket_with_1009_and_the_other_side_chats_on()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket);

        await student.SendTextAsync(new string('x', 17 * 1024));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await student.ClosedAsync());
        await counselor.SendMessageAsync("c-1", "are you ok?");
        Assert.Equal(1, (await counselor.NextAsync("ack"))["seq"]!.GetValue<long>());
    }

    [Fact]
    public async Task Invalid_utf8_closes_the_socket_with_1007()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);

        await student.SendBytesAsync([(byte)'{', 0xC3, 0x28, (byte)'}'], WebSocketMessageType.Text);

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await student.ClosedAsync());
    }

    [Fact]
    public async Task A_binary_frame_closes_the_socket_with_1003()
    {
        var session = await world.OpenSessionAsync();
        await using var student = await world.ConnectAsync(session.Id, session.StudentTicket);

        await student.SendBytesAsync(Encoding.UTF8.GetBytes("{}"), WebSocketMessageType.Binary);

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await student.ClosedAsync());
    }

    [Fact]
    public async Task A_flood_is_answered_rate_limited_and_then_closed_with_1008_without_losing_the_other_sides_messages()
    {
        var session = await world.OpenSessionAsync();
        await using var flooder = await world.ConnectAsync(session.Id, session.StudentTicket);
        await using var counselor = await world.ConnectAsync(session.Id, session.CounselorTicket);
        await counselor.SendMessageAsync("c-1", "before");
        await counselor.NextAsync("ack");

        for (var i = 0; i < 200 && flooder.Raw.State == WebSocketState.Open; i++)
        {
            try
            {
                await flooder.SendAsync(new { v = 1, type = "ping", id = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        Assert.Equal("rate_limited", (await flooder.NextAsync("error"))["code"]!.GetValue<string>());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await flooder.ClosedAsync());
        await counselor.SendMessageAsync("c-2", "after");
        Assert.Equal([(1L, "before"), (2L, "after")], await counselor.MessagesAsync(2));
    }
}
