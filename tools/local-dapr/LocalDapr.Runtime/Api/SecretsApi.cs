using Grpc.Core;
using LocalDapr.Components;
using LocalDapr.Secrets;

namespace LocalDapr.Api;

/// <summary>The secrets building block. daprd's secrets errors are its plain APIError kind: no gRPC details.</summary>
public sealed class SecretsApi(ComponentSet components)
{
    public IReadOnlyDictionary<string, string> Get(string storeName, string name)
    {
        var store = Store(storeName);
        try
        {
            return store.Store.Get(name);
        }
        catch (SecretNotFoundException ex)
        {
            throw new DaprError(500, "ERR_SECRET_GET", $"failed getting secret with key {name} from secret store {storeName}: {ex.Message}") { GrpcDetails = [] };
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetBulk(string storeName) => Store(storeName).Store.GetAll();

    private SecretStoreComponent Store(string name)
    {
        if (components.SecretStores.Count == 0)
        {
            throw new DaprError(500, "ERR_SECRET_STORES_NOT_CONFIGURED", "secret store is not configured", grpcCode: StatusCode.FailedPrecondition) { GrpcDetails = [] };
        }

        // daprd answers 401 for an unknown secret store over HTTP, InvalidArgument over gRPC.
        return components.SecretStores.TryGetValue(name, out var store)
            ? store
            : throw new DaprError(401, "ERR_SECRET_STORE_NOT_FOUND", $"failed finding secret store with key {name}", grpcCode: StatusCode.InvalidArgument) { GrpcDetails = [] };
    }
}
