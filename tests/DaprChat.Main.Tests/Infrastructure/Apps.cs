using DaprChat.Main.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprChat.Main.Tests.Infrastructure;

/// <summary>The real main app on a real loopback port (so its sidecar can call it), with settings and a clock from the test.</summary>
public sealed class MainApp(int port, IReadOnlyDictionary<string, string?> settings, ManualTime time, string environment = "Development") : WebApplicationFactory<Program>
{
    public CountingHasher? Hasher { get; private set; }

    public void Start()
    {
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IPasswordHasher>(_ => Hasher = new CountingHasher(new Pbkdf2PasswordHasher(Pbkdf2PasswordHasher.MinimumIterations)));
        });
    }
}
