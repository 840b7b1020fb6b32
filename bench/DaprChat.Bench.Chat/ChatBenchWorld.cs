extern alias localdapr;

using System.Security.Cryptography;
using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Testing;
using localdapr::LocalDapr.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Bench.Chat;

/// <summary>
/// A trimmed copy of the chat tests' Redis world (tests/DaprChat.Chat.Tests/Integration/ChatWorld.cs, which lives in an
/// xunit project and cannot be referenced): a real redis-server, the local runtime in-process, the real chat app on
/// <paramref name="chatInstances"/> Kestrel ports each behind its own <c>chat</c> sidecar, and a stub main that serves
/// the JWKS and opens sessions as main does.
/// </summary>
public sealed class ChatBenchWorld(int chatInstances, IReadOnlyDictionary<string, string?> settings) : IAsyncDisposable
{
    private readonly List<ChatApp> _chats = [];
    private readonly List<string> _chatInstanceIds = [];
    private readonly HttpClient _daprHttp = new();
    private readonly ECDsaSecurityKey _signingKey = NewKey();
    private readonly string _dir = Directory.CreateTempSubdirectory("daprchat-bench-chat-").FullName;
    private ILoggerFactory? _loggers;
    private WebApplication? _main;

    public RedisServer Redis { get; private set; } = null!;

    public LocalDaprCluster Cluster { get; private set; } = null!;

    public DaprClient MainDapr { get; private set; } = null!;

    public async Task StartAsync()
    {
        Redis = await RedisServer.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(_dir, "components.yaml"), Components(Redis.Address));
        _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        Cluster = new LocalDaprCluster(_loggers);

        var mainPort = FreePort.Next();
        var mainSidecar = await Cluster.StartSidecarAsync(new SidecarOptions { AppId = DaprNames.Apps.Main, AppPort = mainPort, HttpPort = 0, ResourcesPaths = [_dir] });
        _main = StubMain(mainPort);
        await _main.StartAsync();
        MainDapr = new DaprClient(_daprHttp, new DaprClientOptions { HttpEndpoint = new Uri(mainSidecar.HttpEndpoint) });

        for (var i = 0; i < chatInstances; i++)
        {
            var port = FreePort.Next();
            var sidecar = await Cluster.StartSidecarAsync(new SidecarOptions { AppId = DaprNames.Apps.Chat, AppPort = port, HttpPort = 0, ResourcesPaths = [_dir] });
            var chat = new ChatApp(port, sidecar.HttpEndpoint, settings);
            chat.Start();
            _chats.Add(chat);
            _chatInstanceIds.Add(sidecar.InstanceId);
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sidecar.WaitUntilReadyAsync(ready.Token);
        }

        using var mainReady = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await mainSidecar.WaitUntilReadyAsync(mainReady.Token);
    }

    /// <summary>Opens a session in chat as main does; returns tickets for its student and counsellor.</summary>
    public async Task<BenchSession> OpenSessionAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var student = new ChatParticipant("anon_" + Guid.NewGuid().ToString("N")[..10], Roles.Student, "Quiet Otter");
        var counselor = new ChatParticipant("counselor-" + Guid.NewGuid().ToString("N")[..8], Roles.Counselor, "Dr Rowan");
        var expiresAt = DateTimeOffset.UtcNow + TimeSpan.FromHours(1);
        await MainDapr.InvokeActorMethodAsync<OpenChatSessionRequest, ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, id, ChatSessionMethods.Open,
            new OpenChatSessionRequest(id, student, counselor, expiresAt));
        return new BenchSession(id, Ticket(id, student, expiresAt), Ticket(id, counselor, expiresAt));
    }

    public Uri SocketUri(string sessionId, int instance) => new($"ws://127.0.0.1:{_chats[instance].Port}/session/{sessionId}");

    /// <summary>Which chat instance hosts the session's actor (the local runtime places it by rendezvous hashing).</summary>
    public int ActorInstance(string sessionId) =>
        _chatInstanceIds.IndexOf(Cluster.FindHost(DaprNames.ActorTypes.ChatSession, sessionId, DaprNames.Apps.Chat)?.InstanceId ?? "");

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

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        _loggers?.Dispose();
        _daprHttp.Dispose();
        _signingKey.ECDsa.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A ticket shaped as main's TokenIssuer makes them (ES256, audience chat, send and history permissions).</summary>
    private string Ticket(string sessionId, ChatParticipant participant, DateTimeOffset expiresAt)
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
                [ChatTickets.Claims.Permissions] = new[] { ChatTickets.Permissions.SendMessage, ChatTickets.Permissions.ViewHistory },
            },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

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
        // The working directory holds chat's appsettings.json, which would turn Information logging back on.
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        var app = builder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(_signingKey.ECDsa.ExportParameters(false))) { KeyId = _signingKey.KeyId });
        var keys = new { keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = jwk.Kid, use = "sig", alg = "ES256" } } };
        app.MapGet(ChatTickets.JwksPath, () => Results.Json(keys));
        app.MapGet("/healthz", () => Results.Ok());
        app.MapGet("/dapr/config", () => Results.Json(new { entities = Array.Empty<string>() }));
        app.MapGet("/dapr/subscribe", () => Results.Json(Array.Empty<object>()));
        app.MapPost("/{**any}", () => Results.Ok());
        return app;
    }

    // The Redis world of the chat tests: chatstore (also the actor store), events, and fanout with a consumer group per instance.
    private static string Components(string redis)
    {
        static string Component(string name, string type, params (string Name, string Value)[] meta) =>
            $"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: {type}\n  version: v1\n  metadata:"
            + string.Concat(meta.Select(m => $"\n    - name: {m.Name}\n      value: \"{m.Value}\"")) + "\n---\n";
        return Component(DaprNames.StateStores.Chat, "state.redis", ("redisHost", redis), ("actorStateStore", "true"))
               + Component(DaprNames.PubSubs.Events, "pubsub.redis", ("redisHost", redis))
               + Component(DaprNames.PubSubs.Fanout, "pubsub.redis", ("redisHost", redis), ("consumerID", "{uuid}"), ("maxLenApprox", "10000"));
    }
}

public sealed record BenchSession(string Id, string StudentTicket, string CounselorTicket);

/// <summary>The real chat app on a loopback port behind its sidecar.</summary>
public sealed class ChatApp(int port, string daprEndpoint, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
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
        // chat's appsettings.json logs at Information (a line per session opened); only warnings belong in a bench's output.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

    }
}
