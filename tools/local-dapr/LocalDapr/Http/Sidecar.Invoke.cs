using LocalDapr.Http;

namespace LocalDapr.Hosting;

/// <summary>Service invocation: /v1.0/invoke/{appId}/method/{path}, or any path with dapr-app-id.</summary>
public sealed partial class Sidecar
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer",
    };

    private async Task InvokeAsync(HttpContext context, string appId, string methodPath)
    {
        var target = Cluster.ResolveApp(appId)
            ?? throw new DaprError(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: couldn't find service: {appId}");
        if (target.Configuration.DenyInvocationByDefault)
        {
            throw new DaprError(403, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: access control policy has denied access to id: {AppId} operation: {methodPath} verb: {context.Request.Method}");
        }

        var channel = target.AppChannel
            ?? throw new DaprError(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: app channel is not initialized");
        var path = "/" + CleanPath(methodPath) + context.Request.QueryString.Value;
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method.ToUpperInvariant()), path);
        var body = await ReadBodyAsync(context);
        if (body.Length > 0 || context.Request.ContentType is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        AppChannel.CopyHeaders(context.Request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray()!)).Select(h => KeyValuePair.Create(h.Key, h.Value.OfType<string>().ToArray())), request);
        request.Headers.TryAddWithoutValidation("dapr-caller-app-id", AppId);
        request.Headers.TryAddWithoutValidation("dapr-callee-app-id", target.AppId);
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", remote);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value ?? "");
        request.Headers.TryAddWithoutValidation("Forwarded", $"for={remote};by={remote};host={context.Request.Host.Value}");

        HttpResponseMessage response;
        try
        {
            response = await channel.SendAsync(request, context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            throw new DaprError(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: {ex.Message}");
        }

        // Whatever the app answered, status, headers and body go back unchanged (no Dapr error wrapper).
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    /// <summary>Go's path.Clean on the method path.</summary>
    private static string CleanPath(string path)
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
