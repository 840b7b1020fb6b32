using System.Text;

namespace LocalDapr.Redis.Tests;

/// <summary>The receive path in isolation: the same replies whatever the chunking of the byte stream.</summary>
public sealed class RespReaderTests
{
    private const string Stream =
        "+OK\r\n" +
        "+\r\n" +
        "-ERR something bad\r\n" +
        ":-42\r\n" +
        "$5\r\nhe\r\nl\r\n" +
        "$0\r\n\r\n" +
        "$-1\r\n" +
        "*-1\r\n" +
        "*0\r\n" +
        "*3\r\n:1\r\n*2\r\n$1\r\na\r\n*-1\r\n+x\r\n";

    private static readonly RedisReply[] Expected =
    [
        new RedisReply.SimpleString("OK"),
        new RedisReply.SimpleString(""),
        new RedisReply.Error("ERR something bad"),
        new RedisReply.Integer(-42),
        new RedisReply.BulkString("he\r\nl"u8.ToArray()),
        new RedisReply.BulkString([]),
        new RedisReply.BulkString(null),
        new RedisReply.Array(null),
        new RedisReply.Array([]),
        new RedisReply.Array(
        [
            new RedisReply.Integer(1),
            new RedisReply.Array([new RedisReply.BulkString("a"u8.ToArray()), new RedisReply.Array(null)]),
            new RedisReply.SimpleString("x"),
        ]),
    ];

    [Fact]
    public void Every_reply_type_parses_when_the_stream_is_split_at_any_byte()
    {
        var bytes = Encoding.ASCII.GetBytes(Stream);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var replies = ReadAll([bytes[..split], bytes[split..]]);
            Assert.Equal(Expected, replies);
        }
    }

    [Fact]
    public void Every_reply_type_parses_when_the_stream_arrives_one_byte_at_a_time()
    {
        var bytes = Encoding.ASCII.GetBytes(Stream);
        var replies = ReadAll(bytes.Select(b => new[] { b }));
        Assert.Equal(Expected, replies);
    }

    [Fact]
    public void A_large_binary_bulk_string_split_over_many_reads_is_intact()
    {
        var value = new byte[3 * 1024 * 1024 + 7];
        new Random(42).NextBytes(value);
        var frame = Encoding.ASCII.GetBytes($"${value.Length}\r\n").Concat(value).Concat("\r\n:7\r\n"u8.ToArray()).ToArray();

        var replies = ReadAll(frame.Chunk(1000));

        Assert.Equal([new RedisReply.BulkString(value), new RedisReply.Integer(7)], replies);
    }

    [Theory]
    [InlineData("!what\r\n")]
    [InlineData("$abc\r\n")]
    [InlineData("$3\r\nabcde\r\n")]
    [InlineData("+OK\n")]
    public void Malformed_input_is_a_connection_level_protocol_error(string input)
    {
        var error = Assert.Throws<RedisConnectionException>(() => ReadAll([Encoding.ASCII.GetBytes(input)]));
        Assert.Contains("protocol error", error.Message, StringComparison.Ordinal);
    }

    private static List<RedisReply> ReadAll(IEnumerable<byte[]> chunks)
    {
        using var reader = new RespReader();
        var replies = new List<RedisReply>();
        foreach (var chunk in chunks)
        {
            for (var offset = 0; offset < chunk.Length;)
            {
                var space = reader.GetReadBuffer();
                var count = Math.Min(space.Length, chunk.Length - offset);
                chunk.AsSpan(offset, count).CopyTo(space.Span);
                reader.Advance(count);
                offset += count;
                while (reader.TryRead(out var reply))
                {
                    replies.Add(reply);
                }
            }
        }

        return replies;
    }
}
