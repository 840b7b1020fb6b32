using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprChat.Chat.Testing;
using DaprChat.Dapr;
using DaprChat.Testing;
using static DaprChat.Testing.ComponentYaml;
using LocalDapr.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DaprChat.Main.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class MainCollection : ICollectionFixture<MainFixture>
{
    public const string Name = "main behind the local runtime";
}

/// <summary>
/// Real Redis, the local runtime in-process, chat (ChatSession actor) and main each behind their own sidecar, as
/// under <c>up --profile redis</c>. One per test run: tests create their own users, so they do not step on each other.
/// </summary>
public sealed class MainFixture : IAsyncLifetime
{
    public const string AdminEmail = "admin@daprchat.test";
    public const string AdminPassword = "bootstrap-admin-password-1";
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(2);
    public const string EmergencyNumber = "+44 999";
    public const string HelplinesUrl = "https://helplines.example/uk";

    private readonly List<MainApp> _extraApps = [];
    private readonly HttpClient _chatDaprHttp = new();

    public RedisServer Redis { get; private set; } = null!;
    public string Dir { get; } = System.IO.Directory.CreateTempSubdirectory("daprchat-main-tests-").FullName;
    public LocalDaprCluster Cluster { get; private set; } = null!;
    public Sidecar MainSidecar { get; private set; } = null!;
    public Sidecar ChatSidecar { get; private set; } = null!;
    public MainApp Main { get; private set; } = null!;
    public ChatApp Chat { get; private set; } = null!;
    public ManualTime Time { get; } = new();
    public string SigningKeyPem { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    /// <summary>A Dapr client on chat's sidecar: what chat itself would use to reach main and its actors.</summary>
    public DaprClient ChatDapr { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        WriteComponents();
        Cluster = new LocalDaprCluster(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));

        var chatPort = FreePort.Next();
        ChatSidecar = await Cluster.StartSidecarAsync(new SidecarOptions { AppId = "chat", AppPort = chatPort, HttpPort = 0, ResourcesPaths = [Dir] });
        Chat = new ChatApp(chatPort, ChatSidecar.HttpEndpoint, settings: null);
        Chat.Start();
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await ChatSidecar.WaitUntilReadyAsync(ready.Token);
        }

        var mainPort = FreePort.Next();
        MainSidecar = await Cluster.StartSidecarAsync(new SidecarOptions { AppId = "main", AppPort = mainPort, HttpPort = 0, ResourcesPaths = [Dir] });
        Main = new MainApp(mainPort, Settings(MainSidecar.HttpEndpoint), Time);
        Main.Start();
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await MainSidecar.WaitUntilReadyAsync(ready.Token);
        }

        ChatDapr = new DaprClient(_chatDaprHttp, new DaprClientOptions { HttpEndpoint = new Uri(ChatSidecar.HttpEndpoint) });
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{mainPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>main's settings for this run; <paramref name="overrides"/> for a second instance with other limits.</summary>
    public Dictionary<string, string?> Settings(string daprEndpoint, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = daprEndpoint,
            ["CHAT_SERVICE_URL"] = "ws://chat.test:5081",
            ["Accounts:BootstrapAdminEmail"] = AdminEmail,
            ["Accounts:SignInPermitsPerAddress"] = "100000",
            ["Accounts:RefreshPermitsPerAddress"] = "100000",
            ["Sessions:RequestTimeout"] = RequestTimeout.ToString(),
            ["Sessions:StudentMaxOpenChats"] = "6",
            ["Help:EmergencyNumber"] = EmergencyNumber,
            ["Help:HelplinesUrl"] = HelplinesUrl,
            ["Keys:DevDirectory"] = Path.Combine(Dir, "dev-keys"),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Another main on the same sidecar and stores (a second replica), e.g. with a tight rate limit.</summary>
    public HttpClient StartExtraMain(IReadOnlyDictionary<string, string?> overrides)
    {
        var app = new MainApp(FreePort.Next(), Settings(MainSidecar.HttpEndpoint, overrides), Time);
        _extraApps.Add(app);
        app.Start();
        return app.CreateClient();
    }

    /// <summary>
    /// A main on its first run: its own app id and a secrets store with no keys (so chat never sees its keys), dev keys
    /// into <paramref name="devDirectory"/>. The caller disposes it.
    /// </summary>
    public async Task<MainApp> StartFirstRunMainAsync(string environment, string devDirectory)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("daprchat-first-run-").FullName;
        File.WriteAllText(Path.Combine(dir, "components.yaml"),
            Component("userstore", "state.redis", ("redisHost", Redis.Address), ("keyPrefix", "first-run"))
            + Component("secrets", "secretstores.local.file", ("secretsFile", Path.Combine(dir, "secrets.json"))));
        File.WriteAllText(Path.Combine(dir, "secrets.json"), "{}");
        var port = FreePort.Next();
        var sidecar = await Cluster.StartSidecarAsync(new SidecarOptions { AppId = "main-first-run", AppPort = port, HttpPort = 0, ResourcesPaths = [dir] });
        var app = new MainApp(port, Settings(sidecar.HttpEndpoint, new Dictionary<string, string?> { ["Keys:DevDirectory"] = devDirectory, ["Accounts:BootstrapAdminEmail"] = null }), Time, environment);
        _extraApps.Add(app);
        app.Start();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _chatDaprHttp.Dispose();
        foreach (var app in _extraApps)
        {
            await app.DisposeAsync();
        }

        await Main.DisposeAsync();
        await Chat.DisposeAsync();
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Dir, recursive: true);
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
            + Component("secrets", "secretstores.local.file", ("secretsFile", Path.Combine(Dir, "secrets.json"))));
        File.WriteAllText(Path.Combine(Dir, "secrets.json"), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["main-signing-key"] = SigningKeyPem,
            ["main-student-key-pepper"] = "integration-test-pepper",
            ["main-bootstrap-admin-password"] = AdminPassword,
        }));
    }
}
