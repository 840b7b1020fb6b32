namespace DaprChat.Notify.Dashboard;

/// <summary>The counsellors' live stream (section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>How long missed notifications are kept for a reconnecting desk (Last-Event-ID).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>At most this many kept per counsellor; the oldest go first.</summary>
    public int MaxKept { get; set; } = 200;

    /// <summary>An SSE comment this often keeps proxies from closing an idle stream.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Web client origins allowed to read the stream cross-origin (self-hosted, where notify has its own port); none behind the ingress.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
