using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace DaprChat.Dapr.Actors;

public static class ActorsServiceCollectionExtensions
{
    /// <summary>Registers the actor runtime (and <see cref="DaprClient"/> if not yet registered); map it with <c>MapActorsHandlers</c>.</summary>
    public static IServiceCollection AddActors(this IServiceCollection services, Action<ActorRuntimeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddDaprClient();
        services.Configure(configure);
        services.TryAddSingleton<ActorRuntime>();
        return services;
    }
}

public static class ActorsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps daprd's actor callbacks, all sidecar-only: <c>GET /dapr/config</c>, <c>PUT /actors/{type}/{id}/method/{method}</c>,
    /// <c>.../method/remind/{name}</c>, <c>.../method/timer/{name}</c> and <c>DELETE /actors/{type}/{id}</c>. Success is
    /// exactly 200 (daprd treats anything else, even 204, as failure); a failed method answers 500 with problem JSON
    /// (daprd reports ERR_ACTOR_INVOKE_METHOD to the caller), an unknown type or method 404.
    /// </summary>
    public static IEndpointConventionBuilder MapActorsHandlers(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<ActorRuntime>() is null)
        {
            throw new InvalidOperationException("Call services.AddActors(...) before app.MapActorsHandlers()");
        }

        var group = endpoints.MapGroup("");
        group.MapGet("/dapr/config", (RequestDelegate)(context =>
        {
            var runtime = context.RequestServices.GetRequiredService<ActorRuntime>();
            return WriteAsync(context, StatusCodes.Status200OK, "application/json", runtime.BuildConfig());
        }));
        group.MapPut("/actors/{actorType}/{actorId}/method/remind/{reminderName}", (RequestDelegate)ReminderAsync);
        group.MapPut("/actors/{actorType}/{actorId}/method/timer/{timerName}", (RequestDelegate)TimerAsync);
        group.MapPut("/actors/{actorType}/{actorId}/method/{methodName}", (RequestDelegate)MethodAsync);
        group.MapDelete("/actors/{actorType}/{actorId}", (RequestDelegate)DeactivateAsync);
        return group.RequireDaprSidecar();
    }

    private static async Task MethodAsync(HttpContext context)
    {
        var runtime = context.RequestServices.GetRequiredService<ActorRuntime>();
        var (actorType, actorId) = ActorRoute(context);
        var methodName = (string)context.Request.RouteValues["methodName"]!;
        if (!runtime.Options.TryGetActor(actorType, out var registration))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Unknown actor type", $"Actor type '{actorType}' is not hosted by this app");
            return;
        }

        if (!registration.Methods.TryGetValue(methodName, out var method))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Unknown actor method", $"Actor type '{actorType}' has no method '{methodName}'");
            return;
        }

        var body = await ReadBodyAsync(context);
        await RunAsync(context, runtime, registration, actorId, new ActorMethodContext(methodName, ActorCallType.ActorInterfaceMethod),
            (actor, ct) => method.Invoke(actor, body, runtime.Options.JsonSerializerOptions, ct));
    }

    private static async Task ReminderAsync(HttpContext context)
    {
        var runtime = context.RequestServices.GetRequiredService<ActorRuntime>();
        var (actorType, actorId) = ActorRoute(context);
        var reminderName = (string)context.Request.RouteValues["reminderName"]!;
        if (!runtime.Options.TryGetActor(actorType, out var registration))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Unknown actor type", $"Actor type '{actorType}' is not hosted by this app");
            return;
        }

        if (!typeof(IRemindable).IsAssignableFrom(registration.ActorClrType))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Actor takes no reminders", $"{registration.ActorClrType.Name} does not implement IRemindable");
            return;
        }

        // {"data":<raw JSON>,"dueTime":"...","period":"..."}; scheduler-mode daprd (1.15+) sends both times as "".
        var callback = ParseCallback(await ReadBodyAsync(context));
        await RunAsync(context, runtime, registration, actorId, new ActorMethodContext(reminderName, ActorCallType.ReminderMethod),
            async (actor, _) =>
            {
                await ((IRemindable)actor).ReceiveReminderAsync(reminderName, callback.Data, callback.DueTime, callback.Period).ConfigureAwait(false);
                return ActorMethodResult.None;
            });
    }

    private static async Task TimerAsync(HttpContext context)
    {
        var runtime = context.RequestServices.GetRequiredService<ActorRuntime>();
        var (actorType, actorId) = ActorRoute(context);
        if (!runtime.Options.TryGetActor(actorType, out var registration))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Unknown actor type", $"Actor type '{actorType}' is not hosted by this app");
            return;
        }

        // {"data":<raw JSON>,"callback":"<method>","dueTime":"...","period":"..."}: the callback names a method-table entry.
        var callback = ParseCallback(await ReadBodyAsync(context));
        if (!registration.Methods.TryGetValue(callback.Callback, out var method))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Unknown timer callback",
                $"Actor type '{actorType}' has no method '{callback.Callback}' for timer '{context.Request.RouteValues["timerName"]}'");
            return;
        }

        await RunAsync(context, runtime, registration, actorId, new ActorMethodContext(callback.Callback, ActorCallType.TimerMethod),
            (actor, ct) => method.Invoke(actor, callback.Data, runtime.Options.JsonSerializerOptions, ct));
    }

    private static async Task DeactivateAsync(HttpContext context)
    {
        var runtime = context.RequestServices.GetRequiredService<ActorRuntime>();
        var (actorType, actorId) = ActorRoute(context);
        if (!runtime.Options.TryGetActor(actorType, out _))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Unknown actor type", $"Actor type '{actorType}' is not hosted by this app");
            return;
        }

        try
        {
            await runtime.DeactivateAsync(actorType, actorId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // daprd drops the actor either way; the non-200 only makes it log a failed deactivation.
            Logger(context).LogError(ex, "OnDeactivateAsync failed for actor {ActorType}/{ActorId}", actorType, actorId);
            await ProblemAsync(context, StatusCodes.Status500InternalServerError, "Actor deactivation failed", ex.Message);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task RunAsync(HttpContext context, ActorRuntime runtime, ActorRegistration registration, string actorId,
        ActorMethodContext methodContext, Func<Actor, CancellationToken, Task<ActorMethodResult>> work)
    {
        var reentrancyId = context.Request.Headers[DaprClient.ReentrancyIdHeader].ToString();
        ActorMethodResult result;
        try
        {
            result = await runtime.RunTurnAsync(registration, actorId, reentrancyId.Length == 0 ? null : reentrancyId,
                methodContext, work, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // daprd gave up on the call; nobody reads this reply.
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return;
        }
        catch (JsonException ex)
        {
            Logger(context).LogWarning(ex, "Actor {ActorType}/{ActorId} {Method}: unreadable request body", registration.ActorTypeName, actorId, methodContext.MethodName);
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Unreadable actor request", ex.Message);
            return;
        }
        catch (Exception ex)
        {
            Logger(context).LogError(ex, "Actor {ActorType}/{ActorId} {Method} failed", registration.ActorTypeName, actorId, methodContext.MethodName);
            await ProblemAsync(context, StatusCodes.Status500InternalServerError, "Actor method failed", ex.Message);
            return;
        }

        // Exactly 200, never 204: daprd treats every other status as a failed call.
        var body = result.Type is null ? [] : JsonSerializer.SerializeToUtf8Bytes(result.Value, result.Type, runtime.Options.JsonSerializerOptions);
        await WriteAsync(context, StatusCodes.Status200OK, result.Type is null ? null : "application/json", body);
    }

    private readonly record struct CallbackBody(ReadOnlyMemory<byte> Data, string Callback, TimeSpan DueTime, TimeSpan Period);

    private static CallbackBody ParseCallback(byte[] body)
    {
        if (body.Length == 0)
        {
            return new CallbackBody(default, "", Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        string Text(string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
        // Empty or unreadable times read as "never" (InfiniteTimeSpan), as in the SDK.
        TimeSpan Time(string name) => GoDuration.TryParse(Text(name), out var span) ? span : Timeout.InfiniteTimeSpan;

        var data = root.TryGetProperty("data", out var d) ? Encoding.UTF8.GetBytes(d.GetRawText()) : [];
        return new CallbackBody(data, Text("callback"), Time("dueTime"), Time("period"));
    }

    private static (string ActorType, string ActorId) ActorRoute(HttpContext context) =>
        ((string)context.Request.RouteValues["actorType"]!, (string)context.Request.RouteValues["actorId"]!);

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static Task WriteAsync(HttpContext context, int status, string? contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }

        context.Response.ContentLength = body.Length;
        return body.Length == 0 ? Task.CompletedTask : context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = status == StatusCodes.Status404NotFound
                ? "https://tools.ietf.org/html/rfc9110#section-15.5.5"
                : status == StatusCodes.Status400BadRequest
                    ? "https://tools.ietf.org/html/rfc9110#section-15.5.1"
                    : "https://tools.ietf.org/html/rfc9110#section-15.6.1",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        });
        return WriteAsync(context, status, "application/problem+json", body);
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DaprChat.Dapr.Actors");
}
