using Dapr;
using Dapr.Client;
using DaprChat.Contracts;
using Grpc.Core;

namespace DaprChat.Main.Security;

/// <summary>Where main's secrets come from; the seam the key tests replace.</summary>
public interface ISecretSource
{
    /// <summary>The secret, or null when the store does not have it; throws when the store cannot be reached.</summary>
    Task<string?> ReadAsync(string name, CancellationToken cancellationToken);
}

/// <summary>One secret from the <c>secrets</c> store through the SDK (gRPC <c>GetSecret</c>), or null when the store does not have it.</summary>
public sealed class SecretReader(DaprClient dapr) : ISecretSource
{
    public async Task<string?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var values = await dapr.GetSecretAsync(DaprNames.SecretStore, name, cancellationToken: cancellationToken);
            // Local file stores answer {name: value}; Kubernetes answers the Secret's keys, of which we take the only one.
            var value = values.TryGetValue(name, out var v) ? v : values.Count == 1 ? values.Values.Single() : null;
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }
        catch (DaprException ex) when (ex.InnerException is RpcException { StatusCode: not (StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled) })
        {
            // daprd's answer for a secret the store does not have: ERR_SECRET_GET (gRPC Internal, "secret X not found").
            // An unreachable sidecar is not "no secret": that one propagates.
            return null;
        }
    }
}
