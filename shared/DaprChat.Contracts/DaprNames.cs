namespace DaprChat.Contracts;

/// <summary>Every Dapr name the apps share. They must match components/*.yaml and dapr.yaml.</summary>
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
        public const string SummaryRequested = "summary.requested";
        public const string SummaryReady = "summary.ready";

        /// <summary>
        /// Each app's own dead-letter topic, on every pub/sub it subscribes to: where daprd moves an event the app
        /// dropped or kept failing, and where the app logs it (by id and topic, never its data).
        /// </summary>
        public static class DeadLetter
        {
            public const string Main = "main.dead-letter";
            public const string Chat = "chat.dead-letter";
            public const string Notify = "notify.dead-letter";
            public const string Summarize = "summarize.dead-letter";
        }
    }

    public const string SecretStore = "secrets";

    public static class ActorTypes
    {
        public const string ChatSession = "ChatSession";
        public const string SummaryJob = "SummaryJob";
    }
}
