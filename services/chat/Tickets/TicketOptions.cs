namespace DaprChat.Chat.Tickets;

/// <summary>How chat verifies main's tickets (section <c>Tickets</c>).</summary>
public sealed class TicketOptions
{
    public const string Section = "Tickets";

    /// <summary>Accepted clock difference between main and chat on <c>exp</c>/<c>nbf</c> (at most 10 s).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Keys older than this are refetched (in the background while the old ones keep serving).</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two JWKS fetches, whatever asks for them, so garbage kids cannot hammer main.</summary>
    public TimeSpan UnknownKidRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A JWKS fetch that takes longer is abandoned, so a hung call cannot block every later refresh.</summary>
    public TimeSpan JwksFetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longer strings are refused unparsed; main's tickets are well under 1 KB.</summary>
    public int MaxTicketLength { get; set; } = 8 * 1024;
}
