using System.Globalization;
using System.Text;

namespace LocalDapr.Redis;

/// <summary>How to reach one Redis server; mirrors the Dapr state.redis / pubsub.redis component metadata.</summary>
public sealed record RedisOptions
{
    public const int DefaultPort = 6379;

    /// <summary>"host:port", "host" (port 6379) or "[ipv6]:port".</summary>
    public required string Host { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Selected with SELECT after every (re)connect when non-zero.</summary>
    public int Database { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for a reply to a non-blocking command; exceeding it recycles the connection.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static RedisOptions Parse(string hostAndPort, string? password = null, int database = 0, string? username = null)
    {
        var options = new RedisOptions { Host = hostAndPort, Password = password, Database = database, Username = username };
        _ = options.ParseEndpoint();
        return options;
    }

    internal (string Host, int Port) ParseEndpoint()
    {
        var text = Host?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new ArgumentException("Redis host is empty.", nameof(Host));
        }

        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < text.Length && text[close + 1] != ':'))
            {
                throw new FormatException($"Invalid Redis host '{text}'.");
            }

            host = text[1..close];
            port = close + 1 < text.Length ? text[(close + 2)..] : null;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            // More than one colon without brackets is a bare IPv6 address.
            var bareIpv6 = colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon;
            host = colon < 0 || bareIpv6 ? text : text[..colon];
            port = colon < 0 || bareIpv6 ? null : text[(colon + 1)..];
        }

        if (port is null)
        {
            return (host, DefaultPort);
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535 || host.Length == 0)
        {
            throw new FormatException($"Invalid Redis host '{text}': expected host:port with a port between 1 and 65535.");
        }

        return (host, number);
    }

    // Keeps the password out of logs that print the options.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture,
            $"Host = {Host}, Username = {Username}, Password = {(Password is null ? "" : "***")}, Database = {Database}, ConnectTimeout = {ConnectTimeout}, CommandTimeout = {CommandTimeout}");
        return true;
    }
}
