using LocalDapr.Hosting;

namespace LocalDapr.Api;

/// <summary>A call to another app as the caller made it: verb, method path, query, headers and body.</summary>
public sealed record AppInvocation(
    string AppId, string Verb, string MethodPath, string Query, byte[] Body, string? ContentType,
    IReadOnlyList<KeyValuePair<string, string[]>> Headers, string RemoteAddress, string Host);

/// <summary>What the target app answered, passed back unchanged.</summary>
public sealed record AppReply(int Status, IReadOnlyList<KeyValuePair<string, string[]>> Headers, byte[] Body);

/// <summary>Service invocation: name resolution inside the runtime, access control, the caller/callee headers daprd adds.</summary>
public sealed class InvokeApi(Sidecar sidecar)
{
    public async Task<AppReply> InvokeAsync(AppInvocation call, CancellationToken cancellationToken)
    {
        var target = sidecar.Cluster.ResolveApp(call.AppId)
            ?? throw Invoke(call.AppId, $"couldn't find service: {call.AppId}");
        if (target.Configuration.DenyInvocationByDefault)
        {
            throw new DaprError(403, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {call.AppId}, err: access control policy has denied access to id: {sidecar.AppId} operation: {call.MethodPath} verb: {call.Verb}") { GrpcDetails = [] };
        }

        var channel = target.AppChannel ?? throw Invoke(call.AppId, "app channel is not initialized");
        using var request = new HttpRequestMessage(new HttpMethod(call.Verb.ToUpperInvariant()), "/" + GoPath.Clean(call.MethodPath) + call.Query);
        if (call.Body.Length > 0 || call.ContentType is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
            if (call.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", call.ContentType);
            }
        }

        AppChannel.CopyHeaders(call.Headers, request);
        request.Headers.TryAddWithoutValidation("dapr-caller-app-id", sidecar.AppId);
        request.Headers.TryAddWithoutValidation("dapr-callee-app-id", target.AppId);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", call.RemoteAddress);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", call.Host);
        request.Headers.TryAddWithoutValidation("Forwarded", $"for={call.RemoteAddress};by={call.RemoteAddress};host={call.Host}");

        try
        {
            using var response = await channel.SendAsync(request, cancellationToken);
            var headers = response.Headers.Concat(response.Content.Headers).Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray())).ToList();
            return new AppReply((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync(cancellationToken));
        }
        catch (HttpRequestException ex)
        {
            throw Invoke(call.AppId, ex.Message);
        }
    }

    // messages.ErrDirectInvoke: an APIError, so no gRPC details.
    private static DaprError Invoke(string appId, string detail) =>
        new(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: {detail}") { GrpcDetails = [] };
}

/// <summary>Go's path.Clean without the leading slash: daprd cleans request paths (CleanPathMiddleware) and method paths.</summary>
public static class GoPath
{
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }
}
