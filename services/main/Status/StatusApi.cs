using System.Diagnostics;
using DaprChat.Contracts;
using DaprChat.Dapr;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Status;

public sealed record AppStatus(string AppId, bool Healthy, int? StatusCode, double ElapsedMs, string? Error);

public sealed record SystemStatus(bool Healthy, IReadOnlyList<AppStatus> Apps, DateTimeOffset CheckedAt);

/// <summary>Is every DaprChat app reachable through Dapr? Each app's /healthz, invoked by app id through main's sidecar.</summary>
public static class StatusApi
{
    private static readonly string[] AppIds = [DaprNames.Apps.Main, DaprNames.Apps.Chat, DaprNames.Apps.Notify, DaprNames.Apps.Summarize];

    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/status", GetStatusAsync).WithName("GetStatus");
        return endpoints;
    }

    private static async Task<Ok<SystemStatus>> GetStatusAsync(DaprClient dapr, TimeProvider time, CancellationToken cancellationToken)
    {
        var apps = await Task.WhenAll(AppIds.Select(appId => CheckAsync(dapr, appId, cancellationToken)));
        return TypedResults.Ok(new SystemStatus(apps.All(a => a.Healthy), apps, time.GetUtcNow()));
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
            return new AppStatus(appId, response.IsSuccessStatusCode, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
        }
        catch (Exception ex) when (ex is DaprApiException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new AppStatus(appId, false, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.Message);
        }
    }
}
