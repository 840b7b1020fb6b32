using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json.Serialization;
using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Main.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Status;

/// <summary>One app's health. The status code, round trip and error are for admins only: they describe the deployment's insides.</summary>
public sealed record AppStatus(
    string AppId,
    bool Healthy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? StatusCode = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ElapsedMs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

public sealed record SystemStatus(bool Healthy, IReadOnlyList<AppStatus> Apps, DateTimeOffset CheckedAt);

/// <summary>Is every DaprChat app reachable through Dapr? Each app's /healthz, invoked by app id through main's sidecar.</summary>
public static class StatusApi
{
    private static readonly string[] AppIds = [DaprNames.Apps.Main, DaprNames.Apps.Chat, DaprNames.Apps.Notify, DaprNames.Apps.Summarize];

    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/status", GetStatusAsync).WithName("GetStatus").WithTags("Status").AllowAnonymous().WithProblemResponses();
        return endpoints;
    }

    private static async Task<Ok<SystemStatus>> GetStatusAsync(ClaimsPrincipal user, DaprClient dapr, TimeProvider time, CancellationToken cancellationToken)
    {
        var apps = await Task.WhenAll(AppIds.Select(appId => CheckAsync(dapr, appId, cancellationToken)));
        var shown = user.IsInRole(Roles.Admin) ? apps : apps.Select(a => new AppStatus(a.AppId, a.Healthy)).ToArray();
        return TypedResults.Ok(new SystemStatus(apps.All(a => a.Healthy), shown, time.GetUtcNow()));
    }

    private static async Task<AppStatus> CheckAsync(DaprClient dapr, string appId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var request = dapr.CreateInvokeMethodRequest(HttpMethod.Get, appId, "healthz");
            using var response = await dapr.InvokeMethodWithResponseAsync(request, timeout.Token);
            return new AppStatus(appId, response.IsSuccessStatusCode, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is DaprApiException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new AppStatus(appId, false, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.Message);
        }
    }
}
