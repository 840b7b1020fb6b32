namespace DaprChat.Main.WebClient;

/// <summary>
/// Where desks read notify's live stream: <c>NOTIFY_SERVICE_URL</c> when notify has its own origin (dapr.yaml, up), else
/// the same origin as the web client (Kubernetes, where the ingress routes <c>/notifications/stream</c> to notify).
/// </summary>
public static class NotifyStreamUrl
{
    public const string Path = "/notifications/stream";

    public static Uri? Origin(IConfiguration configuration) =>
        Uri.TryCreate(configuration["NOTIFY_SERVICE_URL"], UriKind.Absolute, out var url) ? new Uri(url.GetLeftPart(UriPartial.Authority)) : null;

    public static string For(IConfiguration configuration) => Origin(configuration) is { } origin ? new Uri(origin, Path).ToString() : Path;
}
