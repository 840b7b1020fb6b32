using DaprChat.Testing;
using Xunit;

namespace LocalDapr.Tests.Infrastructure;

/// <summary>One real redis-server per test class; each runtime flushes it when it starts.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
