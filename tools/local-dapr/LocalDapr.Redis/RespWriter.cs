using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace LocalDapr.Redis;

/// <summary>Encodes commands as RESP arrays of bulk strings into one pooled, reusable buffer.</summary>
internal sealed class RespWriter : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private const int RetainLimit = 1024 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    /// <summary>Throws when an argument cannot be sent, so a bad command fails its caller instead of the writer loop.</summary>
    public static void Validate(IReadOnlyList<object?> args, string paramName)
    {
        ArgumentNullException.ThrowIfNull(args, paramName);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case string or byte[] or ReadOnlyMemory<byte> or Memory<byte> or int or long:
                    break;
                case double d when !double.IsNaN(d):
                    break;
                case double:
                    throw new ArgumentException($"Argument {i} is NaN, which Redis does not accept.", paramName);
                case null:
                    throw new ArgumentException($"Argument {i} is null; use string, byte[], ReadOnlyMemory<byte>, int, long or double.", paramName);
                default:
                    throw new ArgumentException($"Argument {i} has unsupported type {args[i]!.GetType()}; use string, byte[], ReadOnlyMemory<byte>, int, long or double.", paramName);
            }
        }
    }

    /// <summary>Writes *N then each part as a bulk string; <paramref name="command"/> (if any) goes before <paramref name="args"/>.</summary>
    public void WriteCommand(string? command, IReadOnlyList<object?> args)
    {
        WritePrefixed((byte)'*', args.Count + (command is null ? 0 : 1));
        if (command is not null)
        {
            WriteString(command);
        }

        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case string s: WriteString(s); break;
                case byte[] b: WriteBulk(b); break;
                case ReadOnlyMemory<byte> m: WriteBulk(m.Span); break;
                case Memory<byte> m: WriteBulk(m.Span); break;
                case int n: WriteNumber(n); break;
                case long n: WriteNumber(n); break;
                case double d: WriteDouble(d); break;
                default: throw new ArgumentException($"Argument {i} has unsupported type {args[i]?.GetType()}.", nameof(args));
            }
        }
    }

    /// <summary>Drops everything written after <paramref name="length"/> (used when a command fails to encode).</summary>
    public void Truncate(int length) => Length = length;

    public void Reset()
    {
        Length = 0;
        // A one-off huge command should not pin its buffer for the life of the connection.
        if (_buffer.Length > RetainLimit)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WritePrefixed((byte)'$', count);
        var span = GetSpan(count + 2);
        Encoding.UTF8.GetBytes(value, span);
        "\r\n"u8.CopyTo(span[count..]);
        Length += count + 2;
    }

    private void WriteBulk(ReadOnlySpan<byte> value)
    {
        WritePrefixed((byte)'$', value.Length);
        var span = GetSpan(value.Length + 2);
        value.CopyTo(span);
        "\r\n"u8.CopyTo(span[value.Length..]);
        Length += value.Length + 2;
    }

    private void WriteNumber(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        WriteBulk(digits[..written]);
    }

    private void WriteDouble(double value)
    {
        if (double.IsInfinity(value))
        {
            // Redis spells infinity "inf" (ZADD, ZRANGEBYSCORE, INCRBYFLOAT).
            WriteBulk(value > 0 ? "+inf"u8 : "-inf"u8);
            return;
        }

        Span<byte> text = stackalloc byte[32];
        value.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
        WriteBulk(text[..written]);
    }

    private void WritePrefixed(byte prefix, long value)
    {
        var span = GetSpan(23);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        "\r\n"u8.CopyTo(span[(1 + written)..]);
        Length += written + 3;
    }

    private Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - Length < size)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + size));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsSpan(Length);
    }
}
