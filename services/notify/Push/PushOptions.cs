namespace DaprChat.Notify.Push;

/// <summary>How notify pushes (section <c>Push</c>).</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    /// <summary>The secret (in the <c>secrets</c> store) holding the FCM service account JSON; none means log-only.</summary>
    public string ServiceAccountSecret { get; set; } = "notify-fcm-service-account";

    /// <summary>Where FCM HTTP v1 lives; the tests point it at their fake.</summary>
    public Uri FcmBaseUrl { get; set; } = new("https://fcm.googleapis.com/");

    /// <summary>Neutral text shown on the lock screen: never the message, never the counsellor's name.</summary>
    public string Title { get; set; } = "DaprChat";

    public string Body { get; set; } = "You have a new message";

    /// <summary>What a counsellor's phone shows for a new chat request.</summary>
    public string RequestBody { get; set; } = "Someone is waiting to talk";

    /// <summary>At most one push per recipient and session in this window, however many messages arrive.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long FCM keeps an undelivered push; capped at the chat's retention (24 h), after which the chat is gone.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The chat's retention, which no push may outlive.</summary>
    public static readonly TimeSpan ChatRetention = TimeSpan.FromHours(24);
}
