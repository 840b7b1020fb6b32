using System.Text;
using LocalDapr.Api;
using LocalDapr.Hosting;

namespace LocalDapr.Http;

/// <summary>
/// daprd's HTTP API: a thin front end that parses each route's request and hands it to the building blocks.
/// Unknown paths and wrong verbs fall through to service invocation, as in daprd.
/// </summary>
internal sealed partial class DaprHttpApi(Sidecar sidecar)
{
    private ILogger Logger => sidecar.Logger;

    // Dapr APIs that daprd serves and local-dapr does not: answered 501, never silently accepted.
    private static readonly string[] NotImplementedPrefixes =
    [
        "v1.0/bindings/", "v1.0/configuration/", "v1.0-alpha1/configuration/", "v1.0-alpha1/lock/", "v1.0-alpha1/unlock/",
        "v1.0/workflows/", "v1.0-alpha1/workflows/", "v1.0-beta1/workflows/", "v1.0-alpha1/jobs/", "v1.0-alpha1/crypto/",
        "v1.0-alpha1/conversation/", "v1.0-alpha2/conversation/", "v1.0-alpha1/publish/bulk/", "v1.0-alpha1/subscribe",
    ];

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (DaprError error)
        {
            if (!context.Response.HasStarted)
            {
                await error.WriteAsync(context);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            if (!context.Response.HasStarted)
            {
                await new DaprError(ex.StatusCode, "ERR_BODY_READ", "failed to read request body: " + ex.Message).WriteAsync(context);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // daprd's fallback for errors of no known kind: errorCode "ERROR", status 500.
            Logger.RequestFailed(ex, context.Request.Method, context.Request.Path.Value ?? "/");
            if (!context.Response.HasStarted)
            {
                await new DaprError(500, "ERROR", ex.Message).WriteAsync(context);
            }
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        // daprd's CleanPathMiddleware runs Go's path.Clean first, so the Actors SDK's "//v1.0/actors/..." is "/v1.0/actors/...".
        var path = "/" + GoPath.Clean(request.Path.Value ?? "/");

        var method = request.Method;
        var isHealth = method == "GET" && path is "/v1.0/healthz" or "/v1.0/healthz/outbound";
        if (!isHealth && !ApiToken.Matches(sidecar.Options.ApiToken, context.Request.Headers[ApiToken.Header].ToString()))
        {
            context.Response.StatusCode = 401;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("invalid api token\n");
            return;
        }

        request.Headers.Remove("dapr-api-token");

        // The dapr-app-id header (or Basic auth) turns the whole path into an invocation.
        if (HeaderAppId(request) is { } headerAppId)
        {
            await InvokeAsync(context, headerAppId, path.TrimStart('/'));
            return;
        }

        var s = path.TrimStart('/').Split('/');
        bool Is(params string[] parts) => s.Length >= parts.Length && parts.Select((p, i) => p == "*" || p == s[i]).All(x => x);
        var isWrite = method is "POST" or "PUT";

        switch (s)
        {
            case ["v1.0", "healthz"] when method == "GET":
                await HealthAsync(context, outbound: false);
                return;
            case ["v1.0", "healthz", "outbound"] when method == "GET":
                await HealthAsync(context, outbound: true);
                return;
            case ["v1.0", "metadata"] when method == "GET":
                await MetadataAsync(context);
                return;
            case ["v1.0", "metadata", var key] when method == "PUT":
                await SetMetadataAsync(context, key);
                return;
            case ["v1.0", "shutdown"] when isWrite:
                context.Response.StatusCode = 204;
                sidecar.MetadataApi.Shutdown();
                return;
            case ["v1.0-alpha1", "state", _, "query"]:
                throw DaprError.NotImplemented("the state query API");
            case ["v1.0", "state", var store, "bulk"] when isWrite:
                await BulkGetStateAsync(context, store);
                return;
            case ["v1.0", "state", var store, "transaction"] when isWrite:
                await StateTransactionAsync(context, store);
                return;
            case ["v1.0", "state", var store] when isWrite:
                await SaveStateAsync(context, store);
                return;
            case ["v1.0", "state", var store, var key] when method == "GET":
                await GetStateAsync(context, store, Uri.UnescapeDataString(key));
                return;
            case ["v1.0", "state", var store, var key] when method == "DELETE":
                await DeleteStateAsync(context, store, Uri.UnescapeDataString(key));
                return;
            case ["v1.0", "publish", var pubsub, ..] when isWrite && s.Length >= 3:
                await PublishAsync(context, pubsub, string.Join('/', s.Skip(3)));
                return;
            case ["v1.0", "invoke", var appId, "method", ..] when s.Length >= 4:
                await InvokeAsync(context, Uri.UnescapeDataString(appId), string.Join('/', s.Skip(4)));
                return;
            case ["v1.0", "secrets", var store, "bulk"] when method == "GET":
                await GetBulkSecretsAsync(context, store);
                return;
            case ["v1.0", "secrets", var store, var name] when method == "GET":
                await GetSecretAsync(context, store, Uri.UnescapeDataString(name));
                return;
        }

        if ((Is("v1.0", "workflows") || Is("v1.0-beta1", "workflows")) && await RouteWorkflowsAsync(context, s, method))
        {
            return;
        }

        if (Is("v1.0", "actors", "*", "*") && s.Length >= 5)
        {
            if (await RouteActorsAsync(context, s, method))
            {
                return;
            }
        }

        var relative = path.TrimStart('/') + "/";
        if (NotImplementedPrefixes.Any(p => relative.StartsWith(p, StringComparison.Ordinal)))
        {
            throw DaprError.NotImplemented($"{method} {path}");
        }

        throw new DaprError(404, "ERR_DIRECT_INVOKE", "failed getting app id either from the URL path or the header dapr-app-id");
    }

    private static string? HeaderAppId(HttpRequest request)
    {
        if (request.Headers["dapr-app-id"].ToString() is { Length: > 0 } appId)
        {
            request.Headers.Remove("dapr-app-id");
            return appId;
        }

        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
                if (decoded.StartsWith("dapr-app-id:", StringComparison.Ordinal))
                {
                    request.Headers.Remove("Authorization");
                    return decoded["dapr-app-id:".Length..];
                }
            }
            catch (FormatException)
            {
            }
        }

        return null;
    }

    internal static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    /// <summary>The body as a JSON object or array; anything else is daprd's 400 ERR_MALFORMED_REQUEST.</summary>
    internal static async Task<T> ReadJsonBodyAsync<T>(HttpContext context)
        where T : System.Text.Json.Nodes.JsonNode
    {
        var body = await ReadBodyAsync(context);
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(body) as T
                ?? throw new System.Text.Json.JsonException($"expected a JSON {(typeof(T) == typeof(System.Text.Json.Nodes.JsonArray) ? "array" : "object")}");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw DaprError.Malformed("failed deserializing HTTP body: " + ex.Message);
        }
    }

    /// <summary>Query parameters named metadata.X, prefix removed, first value only.</summary>
    internal static Dictionary<string, string> QueryMetadata(HttpRequest request)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            if (key.StartsWith("metadata.", StringComparison.Ordinal) && key.Length > 9)
            {
                metadata[key[9..]] = values.FirstOrDefault() ?? "";
            }
        }

        return metadata;
    }

    internal static async Task WriteJsonAsync(HttpContext context, int status, byte[] json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }
}
