namespace LocalDapr.Redis.Tests;

public sealed class AuthTests : RedisTestBase
{
    private const string Password = "s3cret";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Client.ExecuteAsync("ACL", "SETUSER", "alice", "on", ">wonderland", "~*", "&*", "+@all");
        await Client.ExecuteAsync("CONFIG", "SET", "requirepass", Password);
    }

    [Fact]
    public async Task Password_and_database_are_applied_again_after_every_reconnect()
    {
        var admin = NewClient(o => o with { Password = Password });
        var client = NewClient(o => o with { Password = Password, Database = 5 });
        await client.ExecuteAsync("SET", "k", "in db 5");
        var connectionId = (await client.ExecuteAsync("CLIENT", "ID")).AsLong();

        await admin.ExecuteAsync("CLIENT", "KILL", "ID", connectionId);
        await WaitUntilAsync(() => Task.FromResult(!client.Shared.IsConnected), "the client notices the killed socket");

        Assert.Equal("in db 5", (await client.ExecuteAsync("GET", "k")).AsString());
        Assert.NotEqual(connectionId, (await client.ExecuteAsync("CLIENT", "ID")).AsLong());
        Assert.Contains(" db=5 ", (await client.ExecuteAsync("CLIENT", "INFO")).AsString(), StringComparison.Ordinal);
        Assert.True((await admin.ExecuteAsync("GET", "k")).IsNil);
    }

    [Fact]
    public async Task A_username_and_password_authenticate_as_that_acl_user()
    {
        var client = NewClient(o => o with { Username = "alice", Password = "wonderland" });

        Assert.Equal("alice", (await client.ExecuteAsync("ACL", "WHOAMI")).AsString());
    }

    [Fact]
    public async Task A_wrong_password_fails_fast_with_the_servers_reason()
    {
        var client = NewClient(o => o with { Password = "wrong" });

        var error = await FailsWithinAsync<RedisConnectionException>(client.ExecuteAsync("PING"), TimeSpan.FromSeconds(2));

        Assert.Equal("WRONGPASS", Assert.IsType<RedisServerException>(error.InnerException).Prefix);
    }

    [Fact]
    public async Task Without_a_password_commands_are_refused_by_the_server()
    {
        var client = NewClient();

        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteAsync("GET", "k"));

        Assert.Equal("NOAUTH", error.Prefix);
    }
}
