extern alias notify;
using System.Text.Json;
using System.Text.Json.Nodes;
using notify::DaprChat.Notify.Push;
using Xunit;

namespace DaprChat.Notify.Tests.Unit;

public sealed class PayloadTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private const string Session = "0123456789abcdef0123456789abcdef";

    private static JsonObject Message(TimeSpan? ttl = null) =>
        JsonNode.Parse(JsonSerializer.Serialize(FcmPayload.For("device-token", new PushContent(PushScreens.Chat, Session, "DaprChat", "You have a new message", ttl ?? TimeSpan.FromHours(1)), Now)))!["message"]!.AsObject();

    [Fact]
    public void The_payload_carries_only_the_neutral_text_and_the_screen_to_open()
    {
        var message = Message();
        Assert.Equal("device-token", message["token"]!.GetValue<string>());
        Assert.Equal("DaprChat", message["notification"]!["title"]!.GetValue<string>());
        Assert.Equal("You have a new message", message["notification"]!["body"]!.GetValue<string>());
        var data = message["data"]!.AsObject();
        Assert.Equal(["screen", "sessionId"], data.Select(kv => kv.Key).Order());
        Assert.Equal("chat", data["screen"]!.GetValue<string>());
    }

    [Fact]
    public void Every_platform_collapses_pushes_of_one_session_into_one()
    {
        var message = Message();
        Assert.Equal(Session, message["android"]!["collapse_key"]!.GetValue<string>());
        Assert.Equal(Session, message["android"]!["notification"]!["tag"]!.GetValue<string>());
        Assert.Equal(Session, message["apns"]!["headers"]!["apns-collapse-id"]!.GetValue<string>());
        Assert.Equal(Session, message["webpush"]!["headers"]!["Topic"]!.GetValue<string>());
    }

    [Fact]
    public void The_time_to_live_is_the_same_on_every_platform_and_never_longer_than_the_chat_lives()
    {
        var message = Message(TimeSpan.FromDays(3));
        Assert.Equal("86400s", message["android"]!["ttl"]!.GetValue<string>());
        Assert.Equal("86400", message["webpush"]!["headers"]!["TTL"]!.GetValue<string>());
        Assert.Equal((Now + TimeSpan.FromHours(24)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            message["apns"]!["headers"]!["apns-expiration"]!.GetValue<string>());
    }
}
