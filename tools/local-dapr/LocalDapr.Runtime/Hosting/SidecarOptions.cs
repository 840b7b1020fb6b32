namespace LocalDapr.Hosting;

/// <summary>One sidecar's settings: the subset of daprd's flags and environment that DaprChat uses.</summary>
public sealed record SidecarOptions
{
    public required string AppId { get; init; }
    public int? AppPort { get; init; }
    public string AppChannelAddress { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port.</summary>
    public int HttpPort { get; init; } = 3500;

    /// <summary>daprd's --dapr-grpc-port (its default, and the CLI's, is 50001). 0, the library default, picks a free port, so in-process sidecars never collide.</summary>
    public int GrpcPort { get; init; }

    /// <summary>daprd's --dapr-listen-addresses; daprd listens on all addresses by default, local-dapr on loopback only.</summary>
    public IReadOnlyList<string> ListenAddresses { get; init; } = ["127.0.0.1"];
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];
    public string? ConfigPath { get; init; }

    /// <summary>DAPR_API_TOKEN: required from the app on every call but the health endpoints.</summary>
    public string? ApiToken { get; init; }

    /// <summary>APP_API_TOKEN: sent to the app on every call the sidecar makes to it.</summary>
    public string? AppApiToken { get; init; }
    public string? Namespace { get; init; }
    public string AppProtocol { get; init; } = "http";
}
