extern alias notify;
using System.Net;
using System.Net.Sockets;
using Dapr.Client;
using DaprChat.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using notify::DaprChat.Notify.Push;
using Xunit;

namespace DaprChat.Notify.Tests.Unit;

/// <summary>Which sender a deployment pushes with is decided by what the secret store answers, never by it being unreachable.</summary>
public sealed class PushSenderChoiceTests
{
    private static readonly PushContent Content = new(PushScreens.Chat, "0123456789abcdef0123456789abcdef", "DaprChat", "You have a new message", TimeSpan.FromHours(1));

    [Fact]
    public async Task A_push_while_the_sidecar_cannot_be_reached_is_retried_later_and_does_not_settle_on_log_only()
    {
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{ClosedPort()}").Build();
        await using var services = new ServiceCollection().AddLogging().AddSingleton<LogOnlyPushSender>().BuildServiceProvider();
        using var source = new FcmCredentialSource(dapr, services, Options.Create(new PushOptions()), NullLogger<FcmCredentialSource>.Instance);
        var device = new PushDevice("d1", "token", "android");

        // Asked twice: the choice is not cached while the store could not answer.
        Assert.Equal(PushOutcome.Unavailable, await source.SendAsync(device, Content, RecipientKinds.Student, TestContext.Current.CancellationToken));
        Assert.Equal(PushOutcome.Unavailable, await source.SendAsync(device, Content, RecipientKinds.Student, TestContext.Current.CancellationToken));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
