using System.Text;

namespace LocalDapr.Redis.Tests;

public sealed class RedisReplyAndOptionsTests
{
    [Fact]
    public void Reply_helpers_convert_each_reply_type()
    {
        Assert.Equal("OK", new RedisReply.SimpleString("OK").AsString());
        Assert.Equal("héllo", new RedisReply.BulkString(Encoding.UTF8.GetBytes("héllo")).AsString());
        Assert.Equal(12, new RedisReply.BulkString("12"u8.ToArray()).AsLong());
        Assert.Equal(-3, new RedisReply.Integer(-3).AsLong());
        Assert.Equal("-3", new RedisReply.Integer(-3).AsString());
        Assert.Equal(double.PositiveInfinity, new RedisReply.BulkString("inf"u8.ToArray()).AsDouble());
        Assert.Equal(1.5, new RedisReply.BulkString("1.5"u8.ToArray()).AsDouble());
        Assert.Null(new RedisReply.BulkString(null).AsString());
        Assert.Null(new RedisReply.Array(null).AsArray());
        Assert.True(new RedisReply.BulkString(null).IsNil);
        Assert.True(new RedisReply.Array(null).IsNil);
        Assert.False(new RedisReply.BulkString([]).IsNil);
        Assert.Single(new RedisReply.Array([new RedisReply.Integer(1)]).AsArray()!);
    }

    [Fact]
    public void Reading_an_error_reply_as_a_value_throws_the_server_error()
    {
        var error = Assert.Throws<RedisServerException>(() => new RedisReply.Error("WRONGTYPE Operation against a key").AsString());
        Assert.Equal("WRONGTYPE", error.Prefix);
        Assert.Throws<InvalidOperationException>(() => new RedisReply.Integer(1).AsArray());
    }

    [Fact]
    public void Replies_compare_by_content_and_print_readably()
    {
        Assert.Equal(new RedisReply.BulkString([1, 2]), new RedisReply.BulkString([1, 2]));
        Assert.NotEqual(new RedisReply.BulkString([1, 2]), new RedisReply.BulkString([1, 3]));
        Assert.NotEqual<RedisReply>(new RedisReply.BulkString(null), new RedisReply.Array(null));
        Assert.Equal(
            "[\"a\", (integer) 2, (nil), (nil array), 0x00FF, (error) ERR x]",
            new RedisReply.Array(
            [
                new RedisReply.BulkString("a"u8.ToArray()), new RedisReply.Integer(2), new RedisReply.BulkString(null),
                new RedisReply.Array(null), new RedisReply.BulkString([0, 255]), new RedisReply.Error("ERR x"),
            ]).ToString());
    }

    [Theory]
    [InlineData("redis:6380", "redis", 6380)]
    [InlineData("redis", "redis", 6379)]
    [InlineData("127.0.0.1:7000", "127.0.0.1", 7000)]
    [InlineData("[::1]:7001", "::1", 7001)]
    [InlineData("::1", "::1", 6379)]
    public void Host_is_parsed_with_6379_as_the_default_port(string host, string expectedHost, int expectedPort) =>
        Assert.Equal((expectedHost, expectedPort), RedisOptions.Parse(host).ParseEndpoint());

    [Theory]
    [InlineData("redis:")]
    [InlineData("redis:0")]
    [InlineData("redis:70000")]
    [InlineData("redis:abc")]
    [InlineData(":6379")]
    public void An_invalid_host_is_rejected(string host) => Assert.Throws<FormatException>(() => RedisOptions.Parse(host));

    [Fact]
    public void Printing_options_hides_the_password()
    {
        var text = RedisOptions.Parse("redis:6379", password: "hunter2", database: 2).ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("Database = 2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_sha1_is_the_lowercase_hex_digest_of_the_source() =>
        Assert.Equal("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", new LuaScript("return 1").Sha1Hex);
}
