namespace DaprChat.Contracts;

/// <summary>Every Dapr name the apps share. They must match components/*.yaml, dapr.yaml and k8s/
/// (checked by tests/DaprChat.Deploy.Tests against <see cref="DaprTopology"/>).</summary>
public static class DaprNames
{
    public static class Apps
    {
        public const string Main = "main";
        public const string Chat = "chat";
        public const string Notify = "notify";
        public const string Summarize = "summarize";
    }

    public static class StateStores
    {
        public const string Chat = "chatstore";
        public const string Users = "userstore";
        public const string Summaries = "summarystore";
    }

    public static class PubSubs
    {
        /// <summary>Work events: one consumer group per app id, so replicas compete.</summary>
        public const string Events = "events";

        /// <summary>Live chat deliveries: every chat instance gets every event (consumerID "{uuid}").</summary>
        public const string Fanout = "fanout";
    }

    public static class Topics
    {
        /// <summary>On <see cref="PubSubs.Fanout"/>.</summary>
        public const string ChatMessage = "chat.message";
        public const string OfflineMessage = "notify.offline-message";
        public const string SessionEnded = "chat.session-ended";

        /// <summary>main: a student asked a counsellor for a chat (notify pushes to the counsellor).</summary>
        public const string SessionRequested = "session.requested";

        public const string SummaryRequested = "summary.requested";
        public const string SummaryReady = "summary.ready";
        public const string SummaryFailed = "summary.failed";

        /// <summary>On <see cref="PubSubs.Fanout"/>: a counsellor's dashboard notification, so the notify instance holding their stream hears it.</summary>
        public const string DashboardNotification = "notify.dashboard";

        /// <summary>
        /// Each app's own dead-letter topic, on every pub/sub it subscribes on: where daprd moves an event the app
        /// dropped or kept failing, and where the app logs it (by id and topic, never its data). The sidecar publishes a
        /// dead-lettered event in the subscriber's name, so the pub/subs' <c>publishingScopes</c> allow each app its own.
        /// </summary>
        public static class DeadLetter
        {
            public const string Main = "main.dead-letter";
            public const string Chat = "chat.dead-letter";
            public const string Notify = "notify.dead-letter";
            public const string Summarize = "summarize.dead-letter";

            public static string For(string appId) => appId switch
            {
                Apps.Main => Main,
                Apps.Chat => Chat,
                Apps.Notify => Notify,
                Apps.Summarize => Summarize,
                _ => throw new ArgumentOutOfRangeException(nameof(appId), appId, "not a DaprChat app"),
            };
        }
    }

    public const string SecretStore = "secrets";

    public static class ActorTypes
    {
        public const string ChatSession = "ChatSession";
        public const string SummaryJob = "SummaryJob";
    }

    public static class Workflows
    {
        /// <summary>Hosted by summarize; one instance per summary request (instance id = request id).</summary>
        public const string SessionSummary = "SessionSummaryWorkflow";
    }
}
