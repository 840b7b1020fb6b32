using System.Globalization;
using System.Text;

namespace DaprChat.Dapr;

/// <summary>URL pieces in the form daprd (Go's net/url + chi) reads back exactly.</summary>
public static class DaprUrl
{
    /// <summary>
    /// Escapes one path segment the way Go's url package would (so daprd sees no "non-canonical" RawPath and routes on the
    /// decoded path): unreserved characters and <c>$&amp;+,:;=@</c> stay, everything else (including '/') becomes %XX.
    /// </summary>
    public static string Segment(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? builder = null;
        var bytes = Encoding.UTF8.GetBytes(value);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (IsKept(b))
            {
                builder?.Append((char)b);
                continue;
            }

            if (builder is null)
            {
                builder = new StringBuilder(value.Length + 8);
                builder.Append(Encoding.ASCII.GetString(bytes, 0, i));
            }

            builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return builder?.ToString() ?? value;
    }

    /// <summary>A path of several segments ("a/b c" → "a/b%20c"); the '/' separators stay.</summary>
    public static string Path(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return string.Join('/', path.Split('/').Select(Segment));
    }

    private static bool IsKept(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~'
            or (byte)'$' or (byte)'&' or (byte)'+' or (byte)',' or (byte)':' or (byte)';' or (byte)'=' or (byte)'@';
}

/// <summary>A query string; <c>metadata.&lt;k&gt;</c> entries are how daprd takes request metadata.</summary>
internal sealed class DaprQuery
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public DaprQuery Add(string name, string? value)
    {
        if (value is not null)
        {
            _items.Add(new(name, value));
        }

        return this;
    }

    public DaprQuery AddMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                _items.Add(new("metadata." + key, value));
            }
        }

        return this;
    }

    public static DaprQuery? ForMetadata(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null || metadata.Count == 0 ? null : new DaprQuery().AddMetadata(metadata);

    public override string ToString() =>
        _items.Count == 0
            ? ""
            : "?" + string.Join('&', _items.Select(i => Uri.EscapeDataString(i.Key) + "=" + Uri.EscapeDataString(i.Value)));
}
