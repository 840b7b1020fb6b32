using DaprChat.Main.Tests.Infrastructure;
using DaprChat.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

[Collection(MainCollection.Name)]
public sealed class StartupTests(MainFixture fixture)
{
    [Fact]
    public async Task On_a_first_run_in_development_the_dev_signing_key_is_written_at_start_up_before_any_sign_in()
    {
        var devKeys = Path.Combine(fixture.Dir, "first-run-keys-" + Guid.NewGuid().ToString("N"));
        await fixture.StartFirstRunMainAsync("Development", devKeys);

        await Eventually.TrueAsync(() => File.Exists(Path.Combine(devKeys, "signing-key.pem")), TimeSpan.FromSeconds(30),
            "main writes its dev signing key once its sidecar answers, not at the first token");
        Assert.True(File.Exists(Path.Combine(devKeys, "student-key-pepper")));
    }

    [Fact]
    public async Task Outside_development_a_main_without_signing_keys_stops_at_start_up_and_writes_no_dev_keys()
    {
        var devKeys = Path.Combine(fixture.Dir, "production-keys-" + Guid.NewGuid().ToString("N"));
        IHostApplicationLifetime? lifetime = null;
        try
        {
            var app = await fixture.StartFirstRunMainAsync("Production", devKeys);
            lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        }
        catch (OperationCanceledException)
        {
            // The key check failed while the host was still starting: the start itself was called off.
        }

        await Eventually.TrueAsync(() => lifetime is null || lifetime.ApplicationStopping.IsCancellationRequested, TimeSpan.FromSeconds(30),
            "main stops when the secrets store has no keys outside Development");
        Assert.False(System.IO.Directory.Exists(devKeys));
    }
}
