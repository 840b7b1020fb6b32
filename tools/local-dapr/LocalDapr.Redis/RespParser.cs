using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace LocalDapr.Redis;

/// <summary>
/// Finds complete RESP2 replies in a byte stream. Scanning is resumable: a reply that arrives over many reads
/// (a 1 MB bulk string, a long array) is checked once, not from the start after every read.
/// </summary>
internal sealed class RespParser
{
    private const int MaxBulkLength = 512 * 1024 * 1024; // Redis's own proto-max-bulk-len default

    private readonly Stack<long> _remaining = new(); // items still expected by each open array
    private int _scanned;                            // bytes of the current reply already verified

    /// <summary>Bytes from the start of the current reply that must be buffered before scanning can progress.</summary>
    public int RequiredBytes { get; private set; }

    /// <summary>Length of the first complete reply in <paramref name="buffer"/>, or 0 when more bytes are needed.</summary>
    public int TryScan(ReadOnlySpan<byte> buffer)
    {
        while (true)
        {
            var rest = buffer[_scanned..];
            var lineLength = LineLength(rest);
            if (lineLength == 0)
            {
                RequiredBytes = buffer.Length + 1;
                return 0;
            }

            var payload = rest[1..(lineLength - 2)];
            switch (rest[0])
            {
                case (byte)'+' or (byte)'-':
                    _scanned += lineLength;
                    break;
                case (byte)':':
                    _ = ParseNumber(payload);
                    _scanned += lineLength;
                    break;
                case (byte)'$':
                    var length = ParseNumber(payload);
                    if (length == -1)
                    {
                        _scanned += lineLength;
                        break;
                    }

                    if (length is < 0 or > MaxBulkLength)
                    {
                        throw ProtocolError($"bulk length {length}");
                    }

                    var end = _scanned + lineLength + (int)length + 2;
                    if (buffer.Length < end)
                    {
                        RequiredBytes = end;
                        return 0;
                    }

                    if (buffer[end - 2] != '\r' || buffer[end - 1] != '\n')
                    {
                        throw ProtocolError("bulk string not terminated by CRLF");
                    }

                    _scanned = end;
                    break;
                case (byte)'*':
                    var count = ParseNumber(payload);
                    if (count < -1)
                    {
                        throw ProtocolError($"array length {count}");
                    }

                    _scanned += lineLength;
                    if (count > 0)
                    {
                        _remaining.Push(count);
                        continue; // the array's first item comes next
                    }

                    break;
                default:
                    throw ProtocolError($"unexpected type byte 0x{rest[0]:X2}");
            }

            // An item is complete: close every array it completes.
            while (_remaining.Count > 0)
            {
                var left = _remaining.Pop() - 1;
                if (left > 0)
                {
                    _remaining.Push(left);
                    break;
                }
            }

            if (_remaining.Count == 0)
            {
                var frame = _scanned;
                _scanned = 0;
                RequiredBytes = 0;
                return frame;
            }
        }
    }

    /// <summary>Builds the reply from one complete frame that <see cref="TryScan"/> has already validated.</summary>
    public static RedisReply Parse(ReadOnlySpan<byte> frame)
    {
        var position = 0;
        return ParseItem(frame, ref position);
    }

    private static RedisReply ParseItem(ReadOnlySpan<byte> frame, ref int position)
    {
        var line = frame[position..];
        var lineLength = LineLength(line);
        var payload = line[1..(lineLength - 2)];
        position += lineLength;
        switch (line[0])
        {
            case (byte)'+':
                return payload.SequenceEqual("OK"u8) ? RedisReply.Ok : new RedisReply.SimpleString(Encoding.UTF8.GetString(payload));
            case (byte)'-':
                return new RedisReply.Error(Encoding.UTF8.GetString(payload));
            case (byte)':':
                var value = ParseNumber(payload);
                return value switch { 0 => RedisReply.Zero, 1 => RedisReply.One, _ => new RedisReply.Integer(value) };
            case (byte)'$':
                var length = (int)ParseNumber(payload);
                if (length < 0)
                {
                    return RedisReply.NilBulk;
                }

                var bytes = frame.Slice(position, length).ToArray();
                position += length + 2;
                return new RedisReply.BulkString(bytes);
            default: // '*'
                var count = (int)ParseNumber(payload);
                if (count <= 0)
                {
                    return count < 0 ? RedisReply.NilArray : RedisReply.EmptyArray;
                }

                var items = new RedisReply[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = ParseItem(frame, ref position);
                }

                return new RedisReply.Array(items);
        }
    }

    // Length of the line including CRLF, or 0 when the line is not complete yet.
    private static int LineLength(ReadOnlySpan<byte> data)
    {
        var newline = data.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return 0;
        }

        return newline >= 2 && data[newline - 1] == '\r' ? newline + 1 : throw ProtocolError("line not terminated by CRLF");
    }

    private static long ParseNumber(ReadOnlySpan<byte> digits) =>
        Utf8Parser.TryParse(digits, out long value, out var consumed) && consumed == digits.Length
            ? value
            : throw ProtocolError($"invalid number '{Encoding.ASCII.GetString(digits)}'");

    private static RedisConnectionException ProtocolError(string detail) => new($"Redis protocol error: {detail}.");
}

/// <summary>The receive buffer of one connection: hands out space to read into and yields complete replies.</summary>
internal sealed class RespReader : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private const int MinReadSize = 4 * 1024;
    private const int RetainLimit = 1024 * 1024;

    private readonly RespParser _parser = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;

    /// <summary>Free space after the buffered bytes, compacted or grown so that the reply in progress fits.</summary>
    public Memory<byte> GetReadBuffer()
    {
        var needed = Math.Max(_parser.RequiredBytes, _end - _start + MinReadSize);
        if (_buffer.Length - _start < needed || _buffer.Length - _end < MinReadSize)
        {
            var target = needed <= _buffer.Length ? _buffer : ArrayPool<byte>.Shared.Rent(needed);
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            if (target != _buffer)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _end -= _start;
            _start = 0;
        }

        return _buffer.AsMemory(_end);
    }

    public void Advance(int count) => _end += count;

    public bool TryRead([NotNullWhen(true)] out RedisReply? reply)
    {
        var frame = _parser.TryScan(_buffer.AsSpan(_start, _end - _start));
        if (frame == 0)
        {
            reply = null;
            return false;
        }

        reply = RespParser.Parse(_buffer.AsSpan(_start, frame));
        _start += frame;
        if (_start == _end)
        {
            _start = _end = 0;
            // Give back the space a large reply needed once everything has been consumed.
            if (_buffer.Length > RetainLimit)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
            }
        }

        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
