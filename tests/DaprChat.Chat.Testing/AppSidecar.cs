using System.Security.Cryptography;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Client;
using DaprChat.Contracts;
using LocalDapr.Hosting;

namespace DaprChat.Chat.Testing;

/// <summary>
/// One app's sidecar on the local runtime, secured as <c>up</c> and <c>dapr run</c> secure it: its own random
/// <c>DAPR_API_TOKEN</c> (the sidecar requires it) and <c>APP_API_TOKEN</c> (the sidecar sends it to the app), over
/// HTTP and gRPC. <see cref="AppSettings"/> is what the app behind it is given.
/// </summary>
public sealed class AppSidecar
{
    private AppSidecar(Sidecar sidecar, string apiToken, string appApiToken)
    {
        Sidecar = sidecar;
        ApiToken = apiToken;
        AppApiToken = appApiToken;
    }

    public Sidecar Sidecar { get; }
    public string ApiToken { get; }
    public string AppApiToken { get; }

    public static async Task<AppSidecar> StartAsync(LocalDaprCluster cluster, string appId, int appPort, params string[] resourcesPaths)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var (apiToken, appApiToken) = (NewToken(), NewToken());
        var sidecar = await cluster.StartSidecarAsync(new SidecarOptions
        {
            AppId = appId,
            AppPort = appPort,
            HttpPort = 0,
            GrpcPort = 0,
            ResourcesPaths = resourcesPaths,
            ApiToken = apiToken,
            AppApiToken = appApiToken,
        });
        return new AppSidecar(sidecar, apiToken, appApiToken);
    }

    /// <summary>The environment <c>dapr run</c> gives an app, as configuration for an app hosted in the test.</summary>
    public IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["DAPR_HTTP_ENDPOINT"] = Sidecar.HttpEndpoint,
        ["DAPR_GRPC_ENDPOINT"] = Sidecar.GrpcEndpoint,
        ["DAPR_API_TOKEN"] = ApiToken,
        ["APP_API_TOKEN"] = AppApiToken,
    };

    /// <summary>The SDK's client on this sidecar, as the app itself would use it.</summary>
    public DaprClient CreateClient() => new DaprClientBuilder()
        .UseHttpEndpoint(Sidecar.HttpEndpoint)
        .UseGrpcEndpoint(Sidecar.GrpcEndpoint)
        .UseDaprApiToken(ApiToken)
        .Build();

    /// <summary>Service invocation of <paramref name="appId"/> through this sidecar, as the SDK recommends (relative URLs are that app's routes).</summary>
    public HttpClient InvocationClient(string appId) => DaprClient.CreateInvokeHttpClient(appId, Sidecar.HttpEndpoint, ApiToken);

    /// <summary>The SDK's typed actor proxies through this sidecar, as main makes them.</summary>
    public IActorProxyFactory ActorProxies() => new ActorProxyFactory(new ActorProxyOptions
    {
        HttpEndpoint = Sidecar.HttpEndpoint,
        DaprApiToken = ApiToken,
        UseJsonSerialization = true,
    });

    /// <summary>A session's ChatSession actor, through this sidecar.</summary>
    public IChatSessionActor Room(string sessionId) =>
        ActorProxies().CreateActorProxy<IChatSessionActor>(new ActorId(sessionId), DaprNames.ActorTypes.ChatSession);
}
