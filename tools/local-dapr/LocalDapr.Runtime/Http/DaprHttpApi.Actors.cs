using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.Api;

namespace LocalDapr.Http;

/// <summary>The actors API over HTTP: /v1.0/actors/{type}/{id}/method|state|reminders|timers, parsed into <see cref="ActorsApi"/> requests.</summary>
internal sealed partial class DaprHttpApi
{
    private async Task<bool> RouteActorsAsync(HttpContext context, string[] s, string method)
    {
        var type = Uri.UnescapeDataString(s[2]);
        var id = Uri.UnescapeDataString(s[3]);
        var actors = sidecar.ActorsApi;
        switch (s[4..])
        {
            case ["method", _, ..] when method is "GET" or "POST" or "PUT" or "DELETE":
                await InvokeActorAsync(context, type, id, string.Join('/', s.Skip(5).Select(Uri.UnescapeDataString)));
                return true;
            case ["state"] when method is "POST" or "PUT":
                await actors.TransactStateAsync(type, id, await ReadActorOperationsAsync(context), context.RequestAborted);
                context.Response.StatusCode = 204;
                return true;
            case ["state", var key] when method == "GET":
                await GetActorStateAsync(context, type, id, Uri.UnescapeDataString(key));
                return true;
            case ["reminders", var name] when method is "POST" or "PUT":
                await actors.CreateReminderAsync(type, id, Uri.UnescapeDataString(name), await ReadScheduleAsync(context), context.RequestAborted);
                context.Response.StatusCode = 204;
                return true;
            case ["reminders", var name] when method == "GET":
                await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(actors.GetReminder(type, id, Uri.UnescapeDataString(name)) ?? []));
                return true;
            case ["reminders", var name] when method == "DELETE":
                await actors.DeleteReminderAsync(type, id, Uri.UnescapeDataString(name), context.RequestAborted);
                context.Response.StatusCode = 204;
                return true;
            case ["timers", var name] when method is "POST" or "PUT":
                await actors.CreateTimerAsync(type, id, Uri.UnescapeDataString(name), await ReadScheduleAsync(context));
                context.Response.StatusCode = 204;
                return true;
            case ["timers", var name] when method == "DELETE":
                actors.DeleteTimer(type, id, Uri.UnescapeDataString(name));
                context.Response.StatusCode = 204;
                return true;
            default:
                return false;
        }
    }

    private async Task InvokeActorAsync(HttpContext context, string type, string id, string method)
    {
        var body = await ReadBodyAsync(context);
        // Remoting's X-DaprRequestHeader and its binary or JSON body go to the app untouched.
        var headers = context.Request.Headers
            .Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key, h.Value.OfType<string>().ToArray()))
            .ToList();
        var result = await sidecar.ActorsApi.InvokeAsync(type, id, method, body, context.Request.ContentType, headers, context.Request.QueryString.Value ?? "", context.RequestAborted);
        foreach (var (name, values) in result.Headers)
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers.Append(name, values);
            }
        }

        context.Response.StatusCode = result.Status;
        if (result.ContentType is not null)
        {
            context.Response.ContentType = result.ContentType;
        }

        await context.Response.Body.WriteAsync(result.Body, context.RequestAborted);
    }

    private async Task GetActorStateAsync(HttpContext context, string type, string id, string key)
    {
        var item = await sidecar.ActorsApi.GetStateAsync(type, id, key, context.RequestAborted);
        if (item is null)
        {
            context.Response.StatusCode = 204;
            return;
        }

        if (item.ExpireTime is { } expires)
        {
            context.Response.Headers["metadata.ttlExpireTime"] = StateApi.ExpireTimeText(expires);
        }

        await WriteJsonAsync(context, 200, item.Data);
    }

    private static async Task<List<ActorStateOperation>> ReadActorOperationsAsync(HttpContext context)
    {
        var operations = await ReadJsonBodyAsync<JsonArray>(context);
        var ops = new List<ActorStateOperation>();
        foreach (var node in operations)
        {
            var op = node as JsonObject ?? throw DaprError.Malformed("failed deserializing HTTP body: each operation must be an object");
            var kind = Text(Field(op, "operation"));
            var request = Field(op, "request") as JsonObject ?? throw ActorsApi.SaveError("missing request");
            var key = Text(Field(request, "key")) is { Length: > 0 } k ? k : throw ActorsApi.SaveError("missing key");
            var etag = Text(Field(request, "etag"));
            switch (kind)
            {
                case "upsert":
                    var value = Field(request, "value");
                    ops.Add(new ActorStateOperation(key, value is null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(value), etag, StringMap(Field(request, "metadata"))));
                    break;
                case "delete":
                    ops.Add(new ActorStateOperation(key, null, etag, new Dictionary<string, string>()));
                    break;
                default:
                    throw ActorsApi.SaveError($"operation type {kind} not supported");
            }
        }

        return ops;
    }

    private static async Task<ActorSchedule> ReadScheduleAsync(HttpContext context)
    {
        var body = context.Request.ContentLength is 0 ? [] : await ReadJsonBodyAsync<JsonObject>(context);
        return new ActorSchedule(Text(Field(body, "dueTime")), Text(Field(body, "period")), Text(Field(body, "ttl")), Field(body, "data")?.ToJsonString(), Text(Field(body, "callback")));
    }
}
