namespace LocalDapr;

/// <summary>Every log line of the runtime, source-generated so a disabled level costs nothing.</summary>
internal static partial class RuntimeLog
{
    // Sidecar start-up and the app channel.
    [LoggerMessage(LogLevel.Warning, "{Warning}")]
    public static partial void ResourceWarning(this ILogger logger, string warning);

    [LoggerMessage(LogLevel.Information, "dapr sidecar for app {AppId} on {Endpoint} (gRPC {GrpcEndpoint}) with components: {Components}")]
    public static partial void SidecarStarted(this ILogger logger, string appId, string endpoint, string grpcEndpoint, string components);

    [LoggerMessage(LogLevel.Information, "waiting for app {AppId} to listen on port {Port}")]
    public static partial void WaitingForApp(this ILogger logger, string appId, int port);

    [LoggerMessage(LogLevel.Information, "app {AppId} connected on port {Port}")]
    public static partial void AppConnected(this ILogger logger, string appId, int port);

    [LoggerMessage(LogLevel.Error, "connecting to app {AppId} failed")]
    public static partial void AppConnectFailed(this ILogger logger, Exception exception, string appId);

    [LoggerMessage(LogLevel.Warning, "GET /dapr/config on app {AppId} failed: {Error}")]
    public static partial void ActorConfigFailed(this ILogger logger, string appId, string error);

    [LoggerMessage(LogLevel.Error, "app {AppId} hosts actors ({Types}) but no state store has actorStateStore: \"true\"; actors are disabled")]
    public static partial void NoActorStateStore(this ILogger logger, string appId, string types);

    [LoggerMessage(LogLevel.Information, "app {AppId} hosts actor types: {Types}")]
    public static partial void ActorTypesHosted(this ILogger logger, string appId, string types);

    [LoggerMessage(LogLevel.Error, "{Method} {Path} failed")]
    public static partial void RequestFailed(this ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(LogLevel.Error, "gRPC {Method} failed")]
    public static partial void GrpcRequestFailed(this ILogger logger, Exception exception, string method);

    // Subscriptions and delivery.
    [LoggerMessage(LogLevel.Warning, "subscription to topic {Topic} names pub/sub {PubSub}, which is not loaded; ignored")]
    public static partial void SubscriptionPubSubMissing(this ILogger logger, string topic, string pubSub);

    [LoggerMessage(LogLevel.Information, "app {AppId} subscribed to {PubSub}/{Topic} as consumer {Consumer}")]
    public static partial void Subscribed(this ILogger logger, string appId, string pubSub, string topic, string consumer);

    [LoggerMessage(LogLevel.Error, "GET /dapr/subscribe on app {AppId} answered {Status}; no subscriptions")]
    public static partial void SubscribeAnswered(this ILogger logger, string appId, int status);

    [LoggerMessage(LogLevel.Warning, "GET /dapr/subscribe on app {AppId} failed (attempt {Attempt}): {Error}")]
    public static partial void SubscribeRetrying(this ILogger logger, string appId, int attempt, string error);

    [LoggerMessage(LogLevel.Error, "GET /dapr/subscribe on app {AppId} failed; no subscriptions: {Error}")]
    public static partial void SubscribeFailed(this ILogger logger, string appId, string error);

    [LoggerMessage(LogLevel.Warning, "subscription to topic {Topic} on {PubSub} has no route and is ignored")]
    public static partial void SubscriptionWithoutRoute(this ILogger logger, string topic, string pubSub);

    [LoggerMessage(LogLevel.Error, "subscription to topic {Topic}: match expression {Match} is not supported: {Error}")]
    public static partial void UnsupportedMatch(this ILogger logger, string topic, string? match, string error);

    [LoggerMessage(LogLevel.Warning, "message on {Topic} is not a CloudEvent JSON object")]
    public static partial void NotACloudEvent(this ILogger logger, string topic);

    [LoggerMessage(LogLevel.Error, "app {AppId} answered 404 for {Path} on topic {Topic}; message dropped")]
    public static partial void DeliveryNotFound(this ILogger logger, string appId, string path, string topic);

    [LoggerMessage(LogLevel.Warning, "delivery to app {AppId} on {Topic} failed: {Error}")]
    public static partial void DeliveryFailed(this ILogger logger, string appId, string topic, string error);

    [LoggerMessage(LogLevel.Warning, "message on {Topic} sent to dead-letter topic {DeadLetter} ({Outcome})")]
    public static partial void DeadLettered(this ILogger logger, string topic, string deadLetter, string outcome);

    [LoggerMessage(LogLevel.Warning, "app {AppId} dropped a message on {Topic}")]
    public static partial void Dropped(this ILogger logger, string appId, string topic);

    [LoggerMessage(LogLevel.Warning, "in-memory delivery on {Topic} failed")]
    public static partial void InMemoryDeliveryFailed(this ILogger logger, Exception exception, string topic);

    [LoggerMessage(LogLevel.Warning, "in-memory pub/sub dropped a message on {Topic} after {Attempts} attempts")]
    public static partial void InMemoryDropped(this ILogger logger, string topic, int attempts);

    [LoggerMessage(LogLevel.Warning, "redis pub/sub read on {Topic} failed, retrying: {Error}")]
    public static partial void RedisReadFailed(this ILogger logger, string topic, string error);

    [LoggerMessage(LogLevel.Warning, "redis pub/sub handler on {Topic} failed for {Id}: {Error}")]
    public static partial void RedisHandlerFailed(this ILogger logger, string topic, string id, string error);

    [LoggerMessage(LogLevel.Warning, "redis pub/sub redelivery on {Topic} failed: {Error}")]
    public static partial void RedisRedeliveryFailed(this ILogger logger, string topic, string error);

    // Actors.
    [LoggerMessage(LogLevel.Error, "reminder {Name} of actor {Type}/{Id} stopped")]
    public static partial void ReminderStopped(this ILogger logger, Exception exception, string name, string type, string id);

    [LoggerMessage(LogLevel.Warning, "reminder {Name} of actor {Type}/{Id} failed (attempt {Attempt} of {Attempts}): {Error}")]
    public static partial void ReminderFailed(this ILogger logger, string name, string type, string id, int attempt, int attempts, string error);

    [LoggerMessage(LogLevel.Warning, "timer {Name} of actor {Type}/{Id} failed: {Error}")]
    public static partial void TimerFailed(this ILogger logger, string name, string type, string id, string error);

    [LoggerMessage(LogLevel.Warning, "deactivation of actor {Type}/{Id} answered {Status}")]
    public static partial void DeactivationAnswered(this ILogger logger, string type, string id, int status);

    [LoggerMessage(LogLevel.Warning, "deactivation of actor {Type}/{Id} failed: {Error}")]
    public static partial void DeactivationFailed(this ILogger logger, string type, string id, string error);
}
