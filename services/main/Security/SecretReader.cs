using Dapr;
using Dapr.Client;
using DaprChat.Contracts;
using Grpc.Core;

namespace DaprChat.Main.Security;

/// <summary>One secret from the <c>secrets</c> store, or null when the store does not have it.</summary>
public sealed class SecretReader(DaprClient dapr)
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
