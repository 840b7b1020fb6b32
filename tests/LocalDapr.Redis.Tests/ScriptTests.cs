namespace LocalDapr.Redis.Tests;

public sealed class ScriptTests : RedisTestBase
{
    private static readonly LuaScript IncrementBy = new("return redis.call('INCRBY', KEYS[1], ARGV[1])");

    [Fact]
    public async Task A_script_keeps_working_after_the_script_cache_is_flushed()
    {
        Assert.Equal(5, (await Client.EvalAsync(IncrementBy, ["n"], [5], Ct)).AsLong());
        Assert.Equal(1, await CachedAsync(IncrementBy));

        await Client.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal(0, await CachedAsync(IncrementBy));

        Assert.Equal(12, (await Client.EvalAsync(IncrementBy, ["n"], [7], Ct)).AsLong());
        Assert.Equal(1, await CachedAsync(IncrementBy));
    }

    [Fact]
    public async Task A_script_keeps_working_after_a_server_restart()
    {
        Assert.Equal(1, (await Client.EvalAsync(IncrementBy, ["n"], [1], Ct)).AsLong());

        await Server.RestartAsync(Ct);

        Assert.Equal(3, (await Client.EvalAsync(IncrementBy, ["n"], [2], Ct)).AsLong());
    }

    [Fact]
    public async Task The_script_sha_is_the_one_redis_computes()
    {
        Assert.Equal(IncrementBy.Sha1Hex, (await Client.ExecuteAsync("SCRIPT", "LOAD", IncrementBy.Source)).AsString());
    }

    [Fact]
    public async Task Script_errors_surface_as_server_exceptions()
    {
        var failing = new LuaScript("return redis.error_reply('MYERR ' .. ARGV[1])");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => Client.EvalAsync(failing, [], ["boom"], Ct));

        Assert.Equal("MYERR boom", error.Message);
    }

    private async Task<long> CachedAsync(LuaScript script) =>
        (await Client.ExecuteAsync("SCRIPT", "EXISTS", script.Sha1Hex)).AsArray()![0].AsLong();
}
