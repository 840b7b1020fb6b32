using Dapr.Client;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using LocalDapr.Hosting;
using Xunit;

namespace LocalDapr.Tests.Infrastructure;

/// <summary>Clients of a sidecar's gRPC port: the official SDK's DaprClient, and Dapr.Protos' generated client for what the SDK hides (status details).</summary>
public static class GrpcClients
{
    public static DaprClient Sdk(Sidecar sidecar, string? apiToken = null)
    {
        var builder = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint);
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }

        return builder.Build();
    }

    public static (GrpcChannel Channel, Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient Client) Raw(Sidecar sidecar)
    {
        var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        return (channel, new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel));
    }

    public static Metadata Token(string token) => new() { { "dapr-api-token", token } };

    /// <summary>The google.rpc.Status daprd puts in grpc-status-details-bin, or null when the error carries none.</summary>
    public static Google.Rpc.Status? Details(this RpcException error) =>
        error.Trailers.GetValueBytes("grpc-status-details-bin") is { } bytes ? Google.Rpc.Status.Parser.ParseFrom(bytes) : null;

    /// <summary>The ErrorInfo among the details, asserting daprd's domain.</summary>
    public static ErrorInfo ErrorInfo(this RpcException error)
    {
        var details = error.Details() ?? throw new Xunit.Sdk.XunitException($"no status details on {error.StatusCode}: {error.Status.Detail}");
        var info = details.Details.Single(d => d.Is(Google.Rpc.ErrorInfo.Descriptor)).Unpack<ErrorInfo>();
        Assert.Equal("dapr.io", info.Domain);
        return info;
    }

    public static async Task<RpcException> ShouldFailAsync(StatusCode code, Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(call);
        var rpc = error as RpcException ?? error.InnerException as RpcException
            ?? throw new Xunit.Sdk.XunitException($"expected an RpcException, got {error.GetType().Name}: {error.Message}");
        Assert.True(rpc.StatusCode == code, $"expected {code}, got {rpc.StatusCode}: {rpc.Status.Detail}");
        return rpc;
    }
}
