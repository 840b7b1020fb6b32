using System.Text.Json;
using LocalDapr.Components;
using LocalDapr.Http;
using LocalDapr.Secrets;

namespace LocalDapr.Hosting;

/// <summary>The secrets API: /v1.0/secrets/{store}/{name} and /bulk.</summary>
public sealed partial class Sidecar
{
    private SecretStoreComponent SecretStore(string name)
    {
        if (Components.SecretStores.Count == 0)
        {
            throw new DaprError(500, "ERR_SECRET_STORES_NOT_CONFIGURED", "secret store is not configured");
        }

        // daprd answers 401 for an unknown secret store.
        return Components.SecretStores.TryGetValue(name, out var store)
            ? store
            : throw new DaprError(401, "ERR_SECRET_STORE_NOT_FOUND", $"failed finding secret store with key {name}");
    }

    private async Task GetSecretAsync(HttpContext context, string storeName, string name)
    {
        var store = SecretStore(storeName);
        IReadOnlyDictionary<string, string> secret;
        try
        {
            secret = store.Store.Get(name);
        }
        catch (SecretNotFoundException ex)
        {
            throw new DaprError(500, "ERR_SECRET_GET", $"failed getting secret with key {name} from secret store {storeName}: {ex.Message}");
        }

        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(secret));
    }

    private async Task GetBulkSecretsAsync(HttpContext context, string storeName)
    {
        var store = SecretStore(storeName);
        await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(store.Store.GetAll()));
    }
}
