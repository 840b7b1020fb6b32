using System.Text.Json.Serialization;

namespace DaprChat.Notify.Push;

/// <summary>What one push says, before it is shaped for FCM: which screen to open, for which session. Never any text of the chat.</summary>
public sealed record PushContent(string Screen, string SessionId, string Title, string Body, TimeSpan TimeToLive);

/// <summary>The screens a push opens in the app.</summary>
public static class PushScreens
{
    public const string Chat = "chat";
    public const string Desk = "desk";
}

// FCM HTTP v1 request body (https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages).
public sealed record FcmSendRequest([property: JsonPropertyName("message")] FcmMessage Message);

public sealed record FcmMessage(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("notification")] FcmNotification Notification,
    [property: JsonPropertyName("data")] IReadOnlyDictionary<string, string> Data,
    [property: JsonPropertyName("android")] FcmAndroid Android,
    [property: JsonPropertyName("apns")] FcmApns Apns,
    [property: JsonPropertyName("webpush")] FcmWebpush Webpush);

public sealed record FcmNotification([property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("body")] string Body);

public sealed record FcmAndroid(
    [property: JsonPropertyName("collapse_key")] string CollapseKey,
    [property: JsonPropertyName("priority")] string Priority,
    [property: JsonPropertyName("ttl")] string Ttl,
    [property: JsonPropertyName("notification")] FcmAndroidNotification Notification);

public sealed record FcmAndroidNotification([property: JsonPropertyName("tag")] string Tag);

public sealed record FcmApns(
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("payload")] FcmApnsPayload Payload);

public sealed record FcmApnsPayload([property: JsonPropertyName("aps")] FcmAps Aps);

public sealed record FcmAps([property: JsonPropertyName("thread-id")] string ThreadId, [property: JsonPropertyName("sound")] string Sound);

public sealed record FcmWebpush(
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("fcm_options")] FcmWebpushOptions FcmOptions);

public sealed record FcmWebpushOptions([property: JsonPropertyName("link")] string Link);

/// <summary>Shapes a push for FCM: one collapse key per session on every platform, the TTL on every platform.</summary>
public static class FcmPayload
{
    public static FcmSendRequest For(string token, PushContent content, DateTimeOffset now)
    {
        var ttl = content.TimeToLive > PushOptions.ChatRetention ? PushOptions.ChatRetention : content.TimeToLive;
        var seconds = (long)ttl.TotalSeconds;
        // Session ids are 32 hex characters: a valid Web Push Topic (at most 32 URL-safe characters) and APNs collapse id.
        var collapse = content.SessionId.Length <= 32 ? content.SessionId : content.SessionId[..32];
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["screen"] = content.Screen, ["sessionId"] = content.SessionId };
        return new FcmSendRequest(new FcmMessage(
            token,
            new FcmNotification(content.Title, content.Body),
            data,
            new FcmAndroid(collapse, "high", $"{seconds}s", new FcmAndroidNotification(collapse)),
            new FcmApns(
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["apns-collapse-id"] = collapse,
                    ["apns-expiration"] = (now + ttl).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["apns-priority"] = "10",
                    ["apns-push-type"] = "alert",
                },
                new FcmApnsPayload(new FcmAps(collapse, "default"))),
            new FcmWebpush(
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["TTL"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Topic"] = collapse,
                    ["Urgency"] = "high",
                },
                new FcmWebpushOptions(content.Screen == PushScreens.Desk ? "/#/desk" : $"/#/chat/{content.SessionId}"))));
    }
}
