using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using DaprChat.Contracts;
using DaprChat.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace DaprChat.Notify.Dashboard;

/// <summary>
/// <c>GET /notifications/stream</c>: a counsellor's own notifications as Server-Sent Events, authenticated with their access
/// token in the Authorization header (the desk reads it with fetch, so no token sits in a URL). Replays what is kept after
/// <c>Last-Event-ID</c>, then streams live ones.
/// </summary>
public static class StreamApi
{
    public const string BookPolicy = "book";
    public const string CorsPolicy = "desk";

    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DaprTopology.Routes.NotificationStream, StreamAsync).RequireAuthorization(BookPolicy).RequireCors(CorsPolicy);
        return endpoints;
    }

    private static async Task StreamAsync(HttpContext context, ClaimsPrincipal user, StreamHub hub, NotificationStore store, IOptions<DashboardOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var counselorId = user.FindFirstValue("sub")!;
        var lastId = ReadLastEventId(context.Request);
        if (lastId is null)
        {
            await Problem.Validation("Last-Event-ID must be a whole number").ToResult().ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache, no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        // Subscribed before reading the kept ones, so nothing falls between replay and live; ids drop the overlap.
        using var subscription = hub.Subscribe(counselorId);
        var sent = lastId.Value;
        await context.Response.WriteAsync(": stream open\nretry: 3000\n\n", cancellationToken);
        foreach (var kept in await store.SinceAsync(counselorId, sent, cancellationToken))
        {
            sent = await WriteAsync(context.Response, kept, sent, cancellationToken);
        }

        await context.Response.Body.FlushAsync(cancellationToken);
        var keepAlive = options.Value.KeepAlive;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            tick.CancelAfter(keepAlive);
            try
            {
                if (await subscription.Reader.WaitToReadAsync(tick.Token))
                {
                    while (subscription.Reader.TryRead(out var live))
                    {
                        sent = await WriteAsync(context.Response, live, sent, cancellationToken);
                    }
                }
                else
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await context.Response.Body.FlushAsync(cancellationToken);
        }
    }

    private static async Task<long> WriteAsync(HttpResponse response, DashboardNotificationEvent n, long sent, CancellationToken cancellationToken)
    {
        if (n.Id <= sent)
        {
            return sent;
        }

        var data = JsonSerializer.Serialize(new { id = n.Id, kind = n.Kind, sessionId = n.SessionId, jobId = n.JobId, at = n.At });
        await response.WriteAsync($"id: {n.Id.ToString(CultureInfo.InvariantCulture)}\nevent: {n.Kind}\ndata: {data}\n\n", cancellationToken);
        return n.Id;
    }

    /// <summary>0 when absent (everything kept is replayed); null when it is not a number.</summary>
    private static long? ReadLastEventId(HttpRequest request)
    {
        var raw = request.Headers["Last-Event-ID"].ToString();
        if (raw.Length == 0)
        {
            return 0;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }
}
