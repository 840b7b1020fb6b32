namespace DaprChat.Testing;

/// <summary>
/// Every route of every app that only its Dapr sidecar may call (subscriptions, actor callbacks, transcripts, internal
/// lookups), as a caller from outside would try them. Main's and chat's tests check this list against the routes the
/// real apps map, so a new sidecar-only route cannot be left off; the up and Kubernetes-settings tests walk it and
/// expect 401 from every one.
/// </summary>
public static class SidecarOnlyRoutes
{
    public sealed record Route(string Method, string Path);

    private static readonly Route Subscribe = new("GET", "/dapr/subscribe");

    public static IReadOnlyDictionary<string, IReadOnlyList<Route>> ByApp { get; } = new Dictionary<string, IReadOnlyList<Route>>(StringComparer.Ordinal)
    {
        ["main"] =
        [
            Subscribe,
            new("POST", "/events/chat-session-ended"),
            new("POST", "/dapr/dead-letters/events"),
            new("GET", "/internal/devices/counselor/any-account"),
            new("DELETE", "/internal/devices/student/anon_any/any-device"),
        ],
        ["chat"] =
        [
            Subscribe,
            new("GET", "/dapr/config"),
            new("PUT", "/actors/ChatSession/any-session/method/EndAsync"),
            new("PUT", "/actors/ChatSession/any-session/method/remind/expire"),
            new("PUT", "/actors/ChatSession/any-session/method/timer/presence"),
            new("DELETE", "/actors/ChatSession/any-session"),
            new("POST", "/fanout/chat-message"),
            new("POST", "/dapr/dead-letters/fanout"),
            new("GET", "/sessions/any-session/transcript"),
        ],
        ["notify"] =
        [
            Subscribe,
            new("POST", "/events/offline-message"),
            new("POST", "/events/session-requested"),
            new("POST", "/events/session-ended"),
            new("POST", "/events/summary-ready"),
            new("POST", "/events/summary-failed"),
            new("POST", "/fanout/dashboard"),
            new("POST", "/dapr/dead-letters/events"),
            new("POST", "/dapr/dead-letters/fanout"),
        ],
        ["summarize"] =
        [
            Subscribe,
            new("POST", "/events/summary-requested"),
            new("POST", "/dapr/dead-letters/events"),
            new("GET", "/summaries/sessions/any-session"),
            new("GET", "/summaries/students/any-student"),
            new("POST", "/summaries/sessions/any-session/any-job/review"),
            new("PUT", "/summaries/sessions/any-session/any-job"),
            new("DELETE", "/summaries/sessions/any-session/any-job"),
        ],
    };

    /// <summary>Route prefixes that only ever serve Dapr: any route under them must be sidecar-only.</summary>
    public static IReadOnlyList<string> SidecarPrefixes { get; } = ["dapr/", "actors/", "events/", "fanout/", "internal/", "summaries/"];
}
