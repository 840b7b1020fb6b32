using System.Security.Cryptography;
using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Testing;
using static DaprChat.Testing.ComponentYaml;
using LocalDapr.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Chat.Testing;

/// <summary>
/// The local runtime in-process; chat (real, one or more instances, each behind its own sidecar with app id
/// <c>chat</c>) and a stand-in for main behind its sidecar that serves the JWKS and opens sessions as main does.
/// The chat tests wrap it as xunit fixtures; bench/ starts it itself.
/// </summary>
public class ChatWorld(bool redis, int chatInstances, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncDisposable
{
    public const string AllowedOrigin = "http://localhost:5080";

    private readonly List<ChatApp> _chats = [];
    private readonly List<string> _chatInstanceIds = [];
    private readonly HttpClient _daprHttp = new();
    private WebApplication? _main;

    public RedisServer? Redis { get; private set; }
    public string Dir { get; } = Directory.CreateTempSubdirectory("daprchat-chat-tests-").FullName;
    public LocalDaprCluster Cluster { get; private set; } = null!;
    public IReadOnlyList<int> ChatPorts => _chats.Select(c => c.Port).ToList();
    public ECDsaSecurityKey SigningKey { get; } = NewKey();

    /// <summary>A Dapr client on main's sidecar: what main uses to open and end sessions.</summary>
    public DaprClient MainDapr { get; private set; } = null!;

    public async Task StartAsync()
    {
        if (redis)
        {
            Redis = await RedisServer.StartAsync();
        }

        await File.WriteAllTextAsync(Path.Combine(Dir, "components.yaml"), Components());
        Cluster = new LocalDaprCluster(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()));

        var mainPort = FreePort.Next();
        var mainSidecar = await Cluster.StartSidecarAsync(new SidecarOptions { AppId = DaprNames.Apps.Main, AppPort = mainPort, HttpPort = 0, ResourcesPaths = [Dir] });
        _main = StubMain(mainPort);
        await _main.StartAsync();
        MainDapr = new DaprClient(_daprHttp, new DaprClientOptions { HttpEndpoint = new Uri(mainSidecar.HttpEndpoint) });

        for (var i = 0; i < chatInstances; i++)
        {
            var port = FreePort.Next();
            var sidecar = await Cluster.StartSidecarAsync(new SidecarOptions { AppId = DaprNames.Apps.Chat, AppPort = port, HttpPort = 0, ResourcesPaths = [Dir] });
            var chat = new ChatApp(port, sidecar.HttpEndpoint, settings);
            chat.Start();
            _chats.Add(chat);
            _chatInstanceIds.Add(sidecar.InstanceId);
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sidecar.WaitUntilReadyAsync(ready.Token);
        }

        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await mainSidecar.WaitUntilReadyAsync(ready.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var chat in _chats)
        {
            await chat.DisposeAsync();
        }

        if (_main is not null)
        {
            await _main.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        _daprHttp.Dispose();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Opens a session in chat as main does, and returns tickets for its student and counsellor.</summary>
    public async Task<TestSession> OpenSessionAsync(TimeSpan? expiresIn = null, TimeSpan? answerIn = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var student = new ChatParticipant("anon_" + Guid.NewGuid().ToString("N")[..10], Roles.Student, "Quiet Otter");
        var counselor = new ChatParticipant("counselor-" + Guid.NewGuid().ToString("N")[..8], Roles.Counselor, "Dr Rowan");
        var expiresAt = DateTimeOffset.UtcNow + (expiresIn ?? TimeSpan.FromHours(1));
        await MainDapr.InvokeActorMethodAsync<OpenChatSessionRequest, ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, id, ChatSessionMethods.Open,
            new OpenChatSessionRequest(id, student, counselor, expiresAt, answerIn is { } answer ? DateTimeOffset.UtcNow + answer : null));
        return new TestSession(id, student, counselor, Ticket(id, student, expiresAt), Ticket(id, counselor, expiresAt));
    }

    /// <summary>A ticket shaped exactly as main's TokenIssuer makes them; parameters make it wrong on purpose.</summary>
    public string Ticket(string sessionId, ChatParticipant participant, DateTimeOffset expiresAt, SecurityKey? key = null, string[]? permissions = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ChatTickets.Issuer,
            Audience = ChatTickets.Audience,
            TokenType = "JWT",
            Claims = new Dictionary<string, object>
            {
                [ChatTickets.Claims.Subject] = participant.Id,
                [ChatTickets.Claims.SessionId] = sessionId,
                [ChatTickets.Claims.Role] = participant.Role,
                [ChatTickets.Claims.Name] = participant.DisplayName,
                [ChatTickets.Claims.Permissions] = permissions ?? [ChatTickets.Permissions.SendMessage, ChatTickets.Permissions.ViewHistory],
            },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public Uri SocketUri(string sessionId, int instance = 0) => new($"ws://127.0.0.1:{ChatPorts[instance]}/session/{sessionId}");

    /// <summary>Which chat instance hosts the session's actor (the local runtime places it by rendezvous hashing).</summary>
    public int ActorInstance(string sessionId) =>
        _chatInstanceIds.IndexOf(Cluster.FindHost(DaprNames.ActorTypes.ChatSession, sessionId, DaprNames.Apps.Chat)?.InstanceId ?? "");

    private static ECDsaSecurityKey NewKey()
    {
        var key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    private WebApplication StubMain(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        // The working directory may hold chat's appsettings.json (bench/), which would turn Information logging back on.
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(SigningKey.ECDsa.ExportParameters(false))) { KeyId = SigningKey.KeyId });
        jwk.Use = "sig";
        jwk.Alg = "ES256";
        app.MapGet(ChatTickets.JwksPath, () => Results.Json(new { keys = new[] { new { jwk.Kty, jwk.Crv, jwk.X, jwk.Y, jwk.Kid, jwk.Use, jwk.Alg } } },
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }));
        app.MapGet("/healthz", () => Results.Ok());
        app.MapGet("/dapr/config", () => Results.Json(new { entities = Array.Empty<string>() }));
        app.MapGet("/dapr/subscribe", () => Results.Json(Array.Empty<object>()));
        app.MapPost("/{**any}", () => Results.Ok());
        return app;
    }

    private string Components()
    {
        return redis
            ? Component(DaprNames.StateStores.Chat, "state.redis", ("redisHost", Redis!.Address), ("actorStateStore", "true"))
              + Component(DaprNames.PubSubs.Events, "pubsub.redis", ("redisHost", Redis.Address))
              + Component(DaprNames.PubSubs.Fanout, "pubsub.redis", ("redisHost", Redis.Address), ("consumerID", "{uuid}"), ("maxLenApprox", "10000"))
            : Component(DaprNames.StateStores.Chat, "state.in-memory", ("actorStateStore", "true"))
              + Component(DaprNames.PubSubs.Events, "pubsub.in-memory")
              + Component(DaprNames.PubSubs.Fanout, "pubsub.in-memory", ("consumerID", "{uuid}"));
    }
}

public sealed record TestSession(string Id, ChatParticipant Student, ChatParticipant Counselor, string StudentTicket, string CounselorTicket);

/// <summary>The real chat app on a loopback port behind its sidecar.</summary>
public sealed class ChatApp(int port, string daprEndpoint, IReadOnlyDictionary<string, string?>? settings) : WebApplicationFactory<Program>
{
    public int Port => port;

    public void Start()
    {
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("DAPR_HTTP_ENDPOINT", daprEndpoint);
        builder.UseSetting("Chat:AllowedOrigins:0", ChatWorld.AllowedOrigin);
        // chat's appsettings.json logs at Information (a line per session); only warnings belong in test and bench output.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
    }
}
