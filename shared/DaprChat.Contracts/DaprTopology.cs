namespace DaprChat.Contracts;

// Who uses what, per app id: the one declaration that dapr.yaml, components/ and k8s/ are checked against
// (tests/DaprChat.Deploy.Tests), and that each app's code is checked against (every Dapr name an app's code names
// must be declared here for that app). Change the code and this together; the tests say which manifest must follow.

/// <summary>A pub/sub topic on one pub/sub component.</summary>
public sealed record TopicUse(string PubSub, string Topic);

/// <summary>
/// A service invocation of <see cref="TargetApp"/>: <see cref="Operation"/> is the method as Dapr's accessControl names
/// it. daprd's operation matcher (pkg/config/acl_trie.go) takes <c>*</c> only as the last segment and <c>**</c> as "this
/// and everything below", so <c>/sessions/*/transcript</c> would never match: a route with an id inside is allowed by
/// its prefix (<c>/sessions/**</c>), and the target app keeps that prefix for the routes the caller may use.
/// </summary>
public sealed record Invocation(string TargetApp, string Operation, IReadOnlyList<string> Verbs);

/// <summary>Everything one app uses through Dapr, and what it serves to the outside.</summary>
public sealed record AppTopology(string AppId)
{
    /// <summary>State stores the app's code reads or writes (the actor state store included when it hosts actors).</summary>
    public IReadOnlyList<string> StateStores { get; init; } = [];

    /// <summary>The store that holds the state of the actors (and workflows) it hosts, if any.</summary>
    public string? ActorStateStore { get; init; }

    public IReadOnlyList<string> HostsActorTypes { get; init; } = [];

    public IReadOnlyList<string> HostsWorkflows { get; init; } = [];

    /// <summary>Actor types hosted by another app that this app calls.</summary>
    public IReadOnlyList<string> CallsActorTypes { get; init; } = [];

    public IReadOnlyList<TopicUse> Publishes { get; init; } = [];

    public IReadOnlyList<TopicUse> Subscribes { get; init; } = [];

    /// <summary>Secrets the app reads from the <see cref="DaprNames.SecretStore"/> store by name.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>Invocations of other apps (invoking itself never leaves its own sidecar, so it is not listed).</summary>
    public IReadOnlyList<Invocation> Invokes { get; init; } = [];

    /// <summary>Path prefixes that browsers reach through the ingress; empty: the app is not exposed.</summary>
    public IReadOnlyList<string> PublicPaths { get; init; } = [];

    /// <summary>Whether the app calls services outside the cluster over HTTPS (FCM, Gemini, Google's token endpoint).</summary>
    public bool CallsInternet { get; init; }

    /// <summary>Pub/subs the app uses at all (publishing or subscribing).</summary>
    public IEnumerable<string> PubSubs => Publishes.Concat(Subscribes).Select(t => t.PubSub).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Topics the sidecar may publish for the app: its own, and its dead-letter topic on each pub/sub it subscribes on
    /// (daprd publishes a dead-lettered event in the subscriber's name, through the same publishing scopes).
    /// </summary>
    public IEnumerable<TopicUse> MayPublish => Publishes.Concat(DeadLetters).Distinct();

    /// <summary>Topics the app may subscribe to: its own, and its dead-letter topic on each pub/sub it subscribes on.</summary>
    public IEnumerable<TopicUse> MaySubscribe => Subscribes.Concat(DeadLetters).Distinct();

    private IEnumerable<TopicUse> DeadLetters => Subscribes.Select(t => t.PubSub).Distinct(StringComparer.Ordinal)
        .Select(pubsub => new TopicUse(pubsub, DaprNames.Topics.DeadLetter.For(AppId)));
}

/// <summary>The four apps' use of Dapr (names from <see cref="DaprNames"/>), and the routes one app serves another.</summary>
public static class DaprTopology
{
    /// <summary>Routes and accessControl operations that cross app boundaries.</summary>
    public static class Routes
    {
        /// <summary>Every app's health endpoint: probes, daprd's app health check, and main's status page.</summary>
        public const string Health = "/healthz";

        /// <summary>main's public keys, for chat (tickets) and notify (access tokens on the live stream).</summary>
        public const string Jwks = ChatTickets.JwksPath;

        /// <summary>main: a recipient's device tokens (lookup and removal of dead tokens), for notify only.</summary>
        public const string DeviceTokens = "/internal/devices/**";

        /// <summary>chat: <c>GET /sessions/{sessionId}/transcript</c>, for main and summarize only.</summary>
        public const string Transcripts = "/sessions/**";

        /// <summary>summarize: summary status, reading, review, edit and delete, for main only (summarize is not exposed).</summary>
        public const string Summaries = "/summaries/**";

        /// <summary>chat's WebSocket endpoint <c>/session/{sessionId}</c> (public).</summary>
        public const string ChatSocket = "/session";

        /// <summary>notify: the counsellors' live notification stream (public, long-lived HTTP response).</summary>
        public const string NotificationStream = "/notifications/stream";
    }

    private const string Get = "GET";

    public static AppTopology Main { get; } = new(DaprNames.Apps.Main)
    {
        StateStores = [DaprNames.StateStores.Users],
        CallsActorTypes = [DaprNames.ActorTypes.ChatSession],
        Publishes =
        [
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SessionRequested),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryRequested),
        ],
        Subscribes = [new(DaprNames.PubSubs.Events, DaprNames.Topics.SessionEnded)],
        Secrets = ["main-signing-key", "main-signing-key-previous", "main-student-key-pepper", "main-bootstrap-admin-password"],
        Invokes =
        [
            new(DaprNames.Apps.Chat, Routes.Health, [Get]),
            new(DaprNames.Apps.Notify, Routes.Health, [Get]),
            new(DaprNames.Apps.Summarize, Routes.Health, [Get]),
            new(DaprNames.Apps.Chat, Routes.Transcripts, [Get]),
            new(DaprNames.Apps.Summarize, Routes.Summaries, [Get, "POST", "PUT", "DELETE"]),
        ],
        PublicPaths = ["/", "/api"],
    };

    public static AppTopology Chat { get; } = new(DaprNames.Apps.Chat)
    {
        StateStores = [DaprNames.StateStores.Chat],
        ActorStateStore = DaprNames.StateStores.Chat,
        HostsActorTypes = [DaprNames.ActorTypes.ChatSession],
        CallsActorTypes = [DaprNames.ActorTypes.ChatSession],
        Publishes =
        [
            new(DaprNames.PubSubs.Fanout, DaprNames.Topics.ChatMessage),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.OfflineMessage),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SessionEnded),
        ],
        Subscribes = [new(DaprNames.PubSubs.Fanout, DaprNames.Topics.ChatMessage)],
        Invokes = [new(DaprNames.Apps.Main, Routes.Jwks, [Get])],
        PublicPaths = [Routes.ChatSocket],
    };

    public static AppTopology Notify { get; } = new(DaprNames.Apps.Notify)
    {
        // Quiet-period marks and each counsellor's kept notifications: Redis with per-key TTL, like the chat data.
        StateStores = [DaprNames.StateStores.Chat],
        Publishes = [new(DaprNames.PubSubs.Fanout, DaprNames.Topics.DashboardNotification)],
        Subscribes =
        [
            new(DaprNames.PubSubs.Fanout, DaprNames.Topics.DashboardNotification),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.OfflineMessage),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SessionRequested),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SessionEnded),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryReady),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryFailed),
        ],
        Secrets = ["notify-fcm-service-account"],
        Invokes =
        [
            new(DaprNames.Apps.Main, Routes.Jwks, [Get]),
            new(DaprNames.Apps.Main, Routes.DeviceTokens, [Get, "DELETE"]),
        ],
        PublicPaths = [Routes.NotificationStream],
        CallsInternet = true,
    };

    public static AppTopology Summarize { get; } = new(DaprNames.Apps.Summarize)
    {
        // Dapr Workflow keeps its state as actor state, so the workflow's app needs the actor state store.
        StateStores = [DaprNames.StateStores.Chat, DaprNames.StateStores.Summaries],
        ActorStateStore = DaprNames.StateStores.Chat,
        HostsWorkflows = [DaprNames.Workflows.SessionSummary],
        Publishes =
        [
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryReady),
            new(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryFailed),
        ],
        Subscribes = [new(DaprNames.PubSubs.Events, DaprNames.Topics.SummaryRequested)],
        Secrets = ["summarize-gemini-service-account", "summarize-gemini-api-key"],
        Invokes = [new(DaprNames.Apps.Chat, Routes.Transcripts, [Get])],
        CallsInternet = true,
    };

    public static IReadOnlyList<AppTopology> Apps { get; } = [Main, Chat, Notify, Summarize];

    /// <summary>The encryption key of <see cref="DaprNames.StateStores.Summaries"/> (hex AES-256), read by daprd, never by an app.</summary>
    public const string SummaryEncryptionKeySecret = "summarystore-encryption-key";

    public static AppTopology For(string appId) =>
        Apps.FirstOrDefault(a => a.AppId == appId) ?? throw new ArgumentException($"'{appId}' is not a DaprChat app id", nameof(appId));

    /// <summary>Apps whose code uses the store (state or actor state).</summary>
    public static IEnumerable<string> UsersOfStateStore(string store) =>
        Apps.Where(a => a.StateStores.Contains(store)).Select(a => a.AppId);

    public static IEnumerable<string> UsersOfPubSub(string pubsub) =>
        Apps.Where(a => a.PubSubs.Contains(pubsub)).Select(a => a.AppId);

    public static IEnumerable<string> UsersOfSecretStore() => Apps.Where(a => a.Secrets.Count > 0).Select(a => a.AppId);

    /// <summary>Who calls <paramref name="appId"/>'s sidecar from another pod: invocations, and actor calls to the types it hosts.</summary>
    public static IEnumerable<string> CallersOf(string appId)
    {
        var hosted = For(appId).HostsActorTypes.Concat(For(appId).HostsWorkflows).ToList();
        return Apps.Where(a => a.Invokes.Any(i => i.TargetApp == appId)
                || a.CallsActorTypes.Intersect(hosted).Any()
                // Actors and workflows of one app are spread over its replicas, which call each other.
                || (a.AppId == appId && hosted.Count > 0))
            .Select(a => a.AppId);
    }
}
