extern alias notify;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprChat.Chat.Testing;
using DaprChat.Testing;
using static DaprChat.Testing.ComponentYaml;
using LocalDapr.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Xunit;

namespace DaprChat.Web.Tests;

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebWorld>
{
    public const string Name = "DaprChat in a browser";
}

/// <summary>
/// DaprChat as a browser meets it: real Redis, the local runtime in-process, main (serving the web client) and chat
/// behind their sidecars on loopback ports, a cuttable relay in front of chat's WebSocket, and Debian's Chromium.
/// </summary>
public sealed class WebWorld : IAsyncLifetime
{
    public const string AdminEmail = "admin@daprchat.test";
    public const string Password = "correct horse battery staple";
    public const string EmergencyNumber = "112";
    public const string HelplinesUrl = "https://helplines.example/list";

    /// <summary>Not the default two minutes: the page must say what main really applies.</summary>
    public const int RequestTimeoutMinutes = 3;
    private const string AdminPassword = "bootstrap-admin-password-1";

    private MainApp? _main;
    private ChatApp? _chat;
    private NotifyApp? _notify;
    private IPlaywright? _playwright;

    public string Dir { get; } = Directory.CreateTempSubdirectory("daprchat-web-tests-").FullName;
    public RedisServer Redis { get; private set; } = null!;
    public LocalDaprCluster Cluster { get; private set; } = null!;
    public ChatProxy ChatProxy { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public int NotifyPort { get; private set; }
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Where screenshots go: kept by CI with the test results.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("TEST_RESULTS_DIR") ?? Path.Combine(AppContext.BaseDirectory, "TestResults"), "screenshots");

    public async ValueTask InitializeAsync()
    {
        var chromium = Chromium.FindExecutable();
        Redis = await RedisServer.StartAsync();
        WriteComponents();
        Cluster = new LocalDaprCluster(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));

        var chatPort = FreePort.Next();
        var mainPort = FreePort.Next();
        BaseUrl = $"http://127.0.0.1:{mainPort}";
        ChatProxy = new ChatProxy(chatPort);

        var chatSidecar = await AppSidecar.StartAsync(Cluster, "chat", chatPort, Dir);
        _chat = new ChatApp(chatPort, chatSidecar, new Dictionary<string, string?> { ["Chat:AllowedOrigins:0"] = BaseUrl });
        _chat.Start();
        // notify on its own origin, as under dapr.yaml: the desk reads its stream cross-origin (log-only pushes, no FCM).
        var notifyPort = NotifyPort = FreePort.Next();
        var notifySidecar = await AppSidecar.StartAsync(Cluster, "notify", notifyPort, Dir);
        _notify = new NotifyApp(notifyPort, new Dictionary<string, string?>(notifySidecar.AppSettings) { ["Dashboard:AllowedOrigins:0"] = BaseUrl });
        _notify.Start();
        var mainSidecar = await AppSidecar.StartAsync(Cluster, "main", mainPort, Dir);
        _main = new MainApp(mainPort, new Dictionary<string, string?>(mainSidecar.AppSettings)
        {
            ["CHAT_SERVICE_URL"] = $"ws://127.0.0.1:{ChatProxy.Port}",
            ["NOTIFY_SERVICE_URL"] = $"http://127.0.0.1:{notifyPort}",
            ["Accounts:BootstrapAdminEmail"] = AdminEmail,
            ["Accounts:SignInPermitsPerAddress"] = "100000",
            ["Accounts:RefreshPermitsPerAddress"] = "100000",
            ["Sessions:RequestTimeout"] = TimeSpan.FromMinutes(RequestTimeoutMinutes).ToString(),
            ["Help:EmergencyNumber"] = EmergencyNumber,
            ["Help:HelplinesUrl"] = HelplinesUrl,
            ["Keys:DevDirectory"] = Path.Combine(Dir, "dev-keys"),
        });
        _main.Start();
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await chatSidecar.Sidecar.WaitUntilReadyAsync(ready.Token);
            await mainSidecar.Sidecar.WaitUntilReadyAsync(ready.Token);
            await notifySidecar.Sidecar.WaitUntilReadyAsync(ready.Token);
        }

        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        Directory.CreateDirectory(ScreenshotDir);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // This machine's network is closed: Chromium's own background traffic would only fail, noisily.
            Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A counsellor invited by the admin through the API; the code is what the admin would hand over.</summary>
    public async Task<(string Email, string InviteCode)> InviteCounselorAsync(string displayName)
    {
        var admin = await AdminTokenAsync();
        var email = $"counselor-{Guid.NewGuid():N}@daprchat.test";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/accounts")
        {
            Content = JsonContent.Create(new { email, displayName, role = "counselor", maxActiveChats = 3 }),
        };
        request.Headers.Authorization = new("Bearer", admin);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return (email, JsonNode.Parse(body)!["inviteCode"]!.GetValue<string>());
    }

    /// <summary>A counsellor who is set up entirely through the API (invite, password, sign-in) and marked available.</summary>
    public async Task CreateAvailableCounselorAsync(string displayName)
    {
        var (email, code) = await InviteCounselorAsync(displayName);
        (await Http.PostAsJsonAsync("/api/auth/accept-invite", new { code, password = Password })).EnsureSuccessStatusCode();
        using var login = await Http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        login.EnsureSuccessStatusCode();
        var token = JsonNode.Parse(await login.Content.ReadAsStringAsync())!["accessToken"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/dashboard/status") { Content = JsonContent.Create(new { status = "available" }) };
        request.Headers.Authorization = new("Bearer", token);
        (await Http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    private async Task<string> AdminTokenAsync()
    {
        // The bootstrap admin is created in the background at start-up.
        for (var attempt = 0; ; attempt++)
        {
            using var response = await Http.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password = AdminPassword });
            if (response.IsSuccessStatusCode)
            {
                return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["accessToken"]!.GetValue<string>();
            }

            Assert.True(attempt < 100, $"the bootstrap admin never signed in: {(int)response.StatusCode}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.CloseAsync();
            _playwright.Dispose();
        }

        Http?.Dispose();
        if (_main is not null)
        {
            await _main.DisposeAsync();
        }

        if (_chat is not null)
        {
            await _chat.DisposeAsync();
        }

        if (_notify is not null)
        {
            await _notify.DisposeAsync();
        }

        if (ChatProxy is not null)
        {
            await ChatProxy.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

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
            ["main-student-key-pepper"] = "web-test-pepper",
            ["main-bootstrap-admin-password"] = AdminPassword,
        }));
    }
}

/// <summary>Debian's Chromium (apt-get install chromium; .ci/run installs it), or CHROMIUM_PATH.</summary>
public static class Chromium
{
    public static string FindExecutable()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c))
            ?? throw new InvalidOperationException("Chromium was not found. Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH; .ci/run installs it.");
    }
}

/// <summary>The real main app on a loopback port, serving the web client from its wwwroot.</summary>
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

        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
    }
}

/// <summary>The real notify app on a loopback port: the desk's live stream.</summary>
public sealed class NotifyApp(int port, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<notify::Program>
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

        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
    }
}
