using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace LocalDapr.Redis;

/// <summary>One RESP2 reply. The nested records are the only cases: SimpleString, Error, Integer, BulkString, Array.</summary>
public abstract record RedisReply
{
    private const int MaxPrintedBytes = 64;

    internal static readonly RedisReply Ok = new SimpleString("OK");
    internal static readonly RedisReply NilBulk = new BulkString(null);
    internal static readonly RedisReply NilArray = new Array(null);
    internal static readonly RedisReply EmptyArray = new Array([]);
    internal static readonly RedisReply Zero = new Integer(0);
    internal static readonly RedisReply One = new Integer(1);

    // Closed hierarchy: only the nested cases below exist.
    private protected RedisReply()
    {
    }

    /// <summary>Nil bulk string ($-1) or nil array (*-1).</summary>
    public bool IsNil => this is BulkString { Value: null } or Array { Items: null };

    /// <summary>Text of a string or integer reply (bulk strings decoded as UTF-8); null for nil.</summary>
    public string? AsString() => this switch
    {
        SimpleString s => s.Value,
        BulkString b => b.Value is null ? null : Encoding.UTF8.GetString(b.Value),
        Integer i => i.Value.ToString(CultureInfo.InvariantCulture),
        Array { Items: null } => null,
        _ => throw Unexpected("a string"),
    };

    /// <summary>An integer reply, or a string reply holding an integer.</summary>
    public long AsLong()
    {
        if (this is Integer i)
        {
            return i.Value;
        }

        var bytes = AsBytes() ?? throw new InvalidOperationException("Expected an integer reply but got nil.");
        return Utf8Parser.TryParse(bytes, out long value, out var consumed) && consumed == bytes.Length
            ? value
            : throw new FormatException($"Expected an integer reply but got {this}.");
    }

    /// <summary>A number reply; accepts Redis's "inf" / "-inf".</summary>
    public double AsDouble()
    {
        if (this is Integer i)
        {
            return i.Value;
        }

        var text = AsString() ?? throw new InvalidOperationException("Expected a number reply but got nil.");
        return text.ToUpperInvariant() switch
        {
            "INF" or "+INF" => double.PositiveInfinity,
            "-INF" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Raw bytes of a string or integer reply; null for nil.</summary>
    public byte[]? AsBytes() => this switch
    {
        BulkString b => b.Value,
        SimpleString s => Encoding.UTF8.GetBytes(s.Value),
        Integer i => Encoding.ASCII.GetBytes(i.Value.ToString(CultureInfo.InvariantCulture)),
        Array { Items: null } => null,
        _ => throw Unexpected("a string"),
    };

    /// <summary>Items of an array reply; null for nil (Redis sometimes answers nil bulk where an array is expected).</summary>
    public RedisReply[]? AsArray() => this switch
    {
        Array a => a.Items,
        BulkString { Value: null } => null,
        _ => throw Unexpected("an array"),
    };

    private Exception Unexpected(string expected) => this is Error e
        ? new RedisServerException(e.Message)
        : new InvalidOperationException($"Expected {expected} reply but got {this}.");

    public sealed record SimpleString(string Value) : RedisReply
    {
        public override string ToString() => Value;
    }

    public sealed record Error(string Message) : RedisReply
    {
        public override string ToString() => "(error) " + Message;
    }

    public sealed record Integer(long Value) : RedisReply
    {
        public override string ToString() => "(integer) " + Value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A binary-safe string; Value is null for nil ($-1). Equality compares the bytes.</summary>
    public sealed record BulkString(byte[]? Value) : RedisReply
    {
        public bool Equals(BulkString? other) =>
            other is not null && (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value));

        public override int GetHashCode() => Value is null ? 0 : Value.Length;

        public override string ToString()
        {
            if (Value is null)
            {
                return "(nil)";
            }

            var shown = Value.AsSpan(0, Math.Min(Value.Length, MaxPrintedBytes));
            var text = Encoding.UTF8.GetString(shown);
            // Printable text is shown quoted; anything else as hex so a debug print never garbles a terminal.
            var printable = !text.Any(c => char.IsControl(c) || c == '\uFFFD');
            var body = printable ? "\"" + text + "\"" : "0x" + Convert.ToHexString(shown);
            return Value.Length > MaxPrintedBytes ? $"{body}... ({Value.Length} bytes)" : body;
        }
    }

    /// <summary>An array of replies, possibly nested; Items is null for nil (*-1). Equality compares the items.</summary>
    public sealed record Array(RedisReply[]? Items) : RedisReply
    {
        public bool Equals(Array? other) =>
            other is not null && (Items is null ? other.Items is null : other.Items is not null && Items.SequenceEqual(other.Items));

        public override int GetHashCode() => Items is null ? -1 : Items.Length;

        public override string ToString() => Items is null ? "(nil array)" : "[" + string.Join(", ", Items.Select(i => i.ToString())) + "]";
    }
}
