using System.Text;

namespace LocalDapr.Redis.Tests;

public sealed class ReplyParsingTests : RedisTestBase
{
    [Fact]
    public async Task Every_reply_type_from_a_real_server_is_parsed()
    {
        Assert.Equal(new RedisReply.SimpleString("OK"), await Client.ExecuteAsync("SET", "k", "v"));
        Assert.Equal(new RedisReply.Integer(1), await Client.ExecuteAsync("INCR", "n"));
        Assert.Equal("v", (await Client.ExecuteAsync("GET", "k")).AsString());
        Assert.True((await Client.ExecuteAsync("GET", "missing")) is RedisReply.BulkString { IsNil: true });
        Assert.True((await Client.ExecuteAsync("BLPOP", "empty-list", 0.01)) is RedisReply.Array { IsNil: true });
        Assert.Equal(new RedisReply.Array([]), await Client.ExecuteAsync("LRANGE", "empty-list", 0, -1));
        Assert.Equal(
            new RedisReply.Array([new RedisReply.BulkString("v"u8.ToArray()), new RedisReply.BulkString(null)]),
            await Client.ExecuteAsync("MGET", "k", "missing"));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => Client.ExecuteAsync("LPUSH", "k", "x"));
        Assert.StartsWith("WRONGTYPE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nested_arrays_keep_their_shape()
    {
        var reply = await Client.ExecuteAsync("EVAL", "return {1, {2, {'deep', false}, {}}, 'top'}", 0);

        Assert.Equal(
            new RedisReply.Array(
            [
                new RedisReply.Integer(1),
                new RedisReply.Array(
                [
                    new RedisReply.Integer(2),
                    new RedisReply.Array([new RedisReply.BulkString("deep"u8.ToArray()), new RedisReply.BulkString(null)]),
                    new RedisReply.Array([]),
                ]),
                new RedisReply.BulkString("top"u8.ToArray()),
            ]),
            reply);
    }

    [Fact]
    public async Task Binary_values_larger_than_a_megabyte_round_trip_unchanged()
    {
        var first = new byte[3 * 1024 * 1024 + 11];
        var second = new byte[1024 * 1024];
        new Random(7).NextBytes(first);
        "\r\n$-1\r\n*3\r\n"u8.CopyTo(second); // protocol-looking bytes inside a value must not confuse the parser
        new Random(8).NextBytes(second.AsSpan(16));

        await Client.ExecuteAsync("SET", "first", first);
        await Client.ExecuteAsync("SET", "second", new ReadOnlyMemory<byte>(second));
        var both = (await Client.ExecuteAsync("MGET", "first", "second")).AsArray()!;

        Assert.Equal(first, both[0].AsBytes());
        Assert.Equal(second, both[1].AsBytes());
        Assert.Equal(first.Length, (await Client.ExecuteAsync("STRLEN", "first")).AsLong());
    }

    [Fact]
    public async Task Unicode_text_and_numbers_are_sent_exactly()
    {
        const string text = "héllo wörld ✓ 🚀";
        await Client.ExecuteAsync("SET", "text", text);
        Assert.Equal(text, (await Client.ExecuteAsync("GET", "text")).AsString());
        Assert.Equal(Encoding.UTF8.GetByteCount(text), (await Client.ExecuteAsync("STRLEN", "text")).AsLong());

        Assert.Equal(5, (await Client.ExecuteAsync("INCRBY", "n", 5)).AsLong());
        Assert.Equal(5 + 6_000_000_000L, (await Client.ExecuteAsync("INCRBY", "n", 6_000_000_000L)).AsLong());
        Assert.Equal(0.25, (await Client.ExecuteAsync("INCRBYFLOAT", "f", 0.25)).AsDouble());
        await Client.ExecuteAsync("ZADD", "z", double.PositiveInfinity, "top", -1.5e-3, "low");
        Assert.Equal(double.PositiveInfinity, (await Client.ExecuteAsync("ZSCORE", "z", "top")).AsDouble());
        Assert.Equal(-1.5e-3, (await Client.ExecuteAsync("ZSCORE", "z", "low")).AsDouble());
    }
}
