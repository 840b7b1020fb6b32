namespace DaprChat.Contracts;

/// <summary>Who a push goes to, as notify names them to main: a counsellor by account id, a student by session pseudonym.</summary>
public static class RecipientKinds
{
    public const string Counselor = "counselor";
    public const string Student = "student";

    /// <summary>Students are <c>anon_…</c> in every event; everyone else is a counsellor's or volunteer's account id.</summary>
    public static string Of(string participantId) =>
        participantId.StartsWith("anon_", StringComparison.Ordinal) ? Student : Counselor;
}

/// <summary>One device's push token as main hands it to notify (sidecar-only route); the device id names it for removal.</summary>
public sealed record PushDevice(string Id, string Token, string Platform);

/// <summary>main's answer to <c>GET /internal/devices/{kind}/{recipientId}</c>.</summary>
public sealed record RecipientDevices(IReadOnlyList<PushDevice> Devices);

/// <summary>The kinds of counsellor dashboard notification notify streams.</summary>
public static class DashboardKinds
{
    public const string SessionRequested = "session.requested";
    public const string StudentMessage = "student.message";
    public const string SummaryReady = "summary.ready";
    public const string SummaryFailed = "summary.failed";
    public const string SessionEnded = "session.ended";
}

/// <summary>
/// On <c>fanout</c>: a dashboard notification already stored for the counsellor, so the notify instance holding their
/// stream pushes it out. Carries no message text, only ids.
/// </summary>
public sealed record DashboardNotificationEvent(
    string CounselorId,
    long Id,
    string Kind,
    string SessionId,
    DateTimeOffset At,
    string? JobId = null,
    string? Dedupe = null);
