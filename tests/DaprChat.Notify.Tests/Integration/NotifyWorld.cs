extern alias notify;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using DaprChat.Chat.Testing;
using DaprChat.Contracts;
using DaprChat.Notify.Tests.Fakes;
using DaprChat.Testing;
using LocalDapr.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using notify::DaprChat.Notify.Push;
using Xunit;
using static DaprChat.Testing.ComponentYaml;

namespace DaprChat.Notify.Tests.Integration;

[CollectionDefinition(Name)]
public sealed class NotifyCollection : ICollectionFixture<NotifyWorld>
{
    public const string Name = "notify with main and chat behind the local runtime";
}

/// <summary>Counts quiet-period reads per key, so a test knows every event of a burst was handled (by either notify instance).</summary>
public sealed class CountingMarks(IPushMarks inner, ConcurrentDictionary<string, int> reads) : IPushMarks
{
    public Task<(PushMark? Mark, string ETag)> GetAsync(string key, CancellationToken cancellationToken)
    {
        reads.AddOrUpdate(key, 1, (_, n) => n + 1);
        return inner.GetAsync(key, cancellationToken);
    }

    public Task<bool> TrySaveAsync(string key, PushMark mark, string etag, TimeSpan ttl, CancellationToken cancellationToken) => inner.TrySaveAsync(key, mark, etag, ttl, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
}

/// <summary>
/// Real Redis, the local runtime in-process, and the real chat, main and two notify instances each behind their own
/// sidecar (as under <c>up --profile redis</c>), with the fake FCM and token endpoint. Tests make their own users.
/// </summary>
public sealed class NotifyWorld : IAsyncLifetime
{
    public const string AdminEmail = "admin@daprchat.test";
    public const string AdminPassword = "bootstrap-admin-password-1";

    private readonly List<IAsyncDisposable> _apps = [];

    public RedisServer Redis { get; private set; } = null!;
    public string Dir { get; } = Directory.CreateTempSubdirectory("daprchat-notify-tests-").FullName;
    public LocalDaprCluster Cluster { get; private set; } = null!;
    public FakeFcm Fcm { get; } = new();
    public HttpClient Main { get; private set; } = null!;
    public IReadOnlyList<HttpClient> Notify { get; private set; } = [];
    public AppSidecar MainSidecar { get; private set; } = null!;
    public int ChatPort { get; private set; }

    public IServiceProvider MainServices { get; private set; } = null!;

    public IServiceProvider NotifyServices { get; private set; } = null!;

    /// <summary>Quiet-period reads by key, across both notify instances.</summary>
    public ConcurrentDictionary<string, int> MarkReads { get; } = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        await Fcm.StartAsync();
        Redis = await RedisServer.StartAsync();
        WriteComponents();
        Cluster = new LocalDaprCluster(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));

        ChatPort = FreePort.Next();
        var chatSidecar = await AppSidecar.StartAsync(Cluster, DaprNames.Apps.Chat, ChatPort, Dir);
        var chat = new ChatApp(ChatPort, chatSidecar, settings: null);
        chat.Start();
        _apps.Add(chat);

        var mainPort = FreePort.Next();
        MainSidecar = await AppSidecar.StartAsync(Cluster, DaprNames.Apps.Main, mainPort, Dir);
        var main = new MainApp(mainPort, new Dictionary<string, string?>(MainSidecar.AppSettings)
        {
            ["CHAT_SERVICE_URL"] = $"ws://127.0.0.1:{ChatPort}",
            ["Accounts:BootstrapAdminEmail"] = AdminEmail,
            ["Accounts:SignInPermitsPerAddress"] = "100000",
            ["Accounts:RefreshPermitsPerAddress"] = "100000",
            ["Sessions:StudentMaxOpenChats"] = "6",
            ["Keys:DevDirectory"] = Path.Combine(Dir, "dev-keys"),
        });
        main.Start();
        _apps.Add(main);
        MainServices = main.Services;
        Main = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{mainPort}"), Timeout = TimeSpan.FromSeconds(30) };

        var notifyClients = new List<HttpClient>();
        var sidecars = new List<AppSidecar> { chatSidecar, MainSidecar };
        for (var i = 0; i < 2; i++)
        {
            var port = FreePort.Next();
            var sidecar = await AppSidecar.StartAsync(Cluster, DaprNames.Apps.Notify, port, Dir);
            var app = new NotifyApp(port, new Dictionary<string, string?>(sidecar.AppSettings)
            {
                ["Push:FcmBaseUrl"] = Fcm.BaseUrl.ToString(),
                ["Push:QuietPeriod"] = "00:10:00",
            }, MarkReads);
            app.Start();
            _apps.Add(app);
            NotifyServices = app.Services;
            sidecars.Add(sidecar);
            notifyClients.Add(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan });
        }

        Notify = notifyClients;
        foreach (var sidecar in sidecars)
        {
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await sidecar.Sidecar.WaitUntilReadyAsync(ready.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Main.Dispose();
        foreach (var client in Notify)
        {
            client.Dispose();
        }

        foreach (var app in Enumerable.Reverse(_apps))
        {
            await app.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
        await Fcm.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void WriteComponents()
    {
        var redis = ("redisHost", Redis.Address);
        File.WriteAllText(Path.Combine(Dir, "components.yaml"),
            Component("chatstore", "state.redis", redis, ("actorStateStore", "true"))
            + Component("userstore", "state.redis", redis)
            + Component("events", "pubsub.redis", redis, ("processingTimeout", "2000"), ("redeliverInterval", "500"))
            + Component("fanout", "pubsub.redis", redis, ("consumerID", "{uuid}"), ("maxLenApprox", "10000"))
            + Component("secrets", "secretstores.local.file", ("secretsFile", Path.Combine(Dir, "secrets.json"))));
        File.WriteAllText(Path.Combine(Dir, "secrets.json"), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["main-signing-key"] = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(),
            ["main-student-key-pepper"] = "integration-test-pepper",
            ["main-bootstrap-admin-password"] = AdminPassword,
            ["notify-fcm-service-account"] = Fcm.ServiceAccountJson(),
        }));
    }
}

/// <summary>The real main on a loopback port behind its sidecar.</summary>
public sealed class MainApp(int port, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public void Start()
    {
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
    }
}

/// <summary>A real notify instance on a loopback port behind its own sidecar (app id notify).</summary>
public sealed class NotifyApp(int port, IReadOnlyDictionary<string, string?> settings, ConcurrentDictionary<string, int> markReads)
    : WebApplicationFactory<notify::Program>
{
    public void Start()
    {
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
            services.AddSingleton<IPushMarks>(sp => new CountingMarks(ActivatorUtilities.CreateInstance<DaprPushMarks>(sp), markReads)));
    }
}
