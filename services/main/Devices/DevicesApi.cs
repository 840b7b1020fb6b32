using System.Security.Claims;
using DaprChat.Main.Accounts;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Devices;

/// <summary>A push token (FCM) of one of the user's devices, kept for notify under <c>devices:{accountId}</c>.</summary>
public sealed record Device(string Id, string Token, string Platform, DateTimeOffset RegisteredAt);

public sealed record DeviceList(IReadOnlyList<Device> Devices);

public sealed record RegisterDeviceRequest(string Token, string Platform);

/// <summary>A device as its owner sees it: the push token itself is not echoed back.</summary>
public sealed record DeviceView(string Id, string Platform, DateTimeOffset RegisteredAt)
{
    public static DeviceView From(Device d) => new(d.Id, d.Platform, d.RegisteredAt);
}

/// <summary>Any signed-in user's own push tokens; another user's device ids are simply not found.</summary>
public static class DevicesApi
{
    private const int MaxDevices = 10;
    private static readonly HashSet<string> Platforms = new(StringComparer.Ordinal) { "android", "ios", "web" };

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/devices").WithTags("Devices").RequireAuthorization().WithProblemResponses();
        group.MapGet("/", ListAsync);
        group.MapPost("/", RegisterAsync);
        group.MapDelete("/{deviceId}", RemoveAsync);
        return endpoints;
    }

    private static async Task<Ok<List<DeviceView>>> ListAsync(ClaimsPrincipal user, UserStore store, CancellationToken cancellationToken)
    {
        var list = await store.GetAsync<DeviceList>(Keys.Devices(user.RequiredAccountId()), cancellationToken);
        return TypedResults.Ok((list?.Devices ?? []).Select(DeviceView.From).ToList());
    }

    private static async Task<Results<Created<DeviceView>, ProblemHttpResult>> RegisterAsync(RegisterDeviceRequest request, ClaimsPrincipal user, UserStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Token) || request.Token.Length > 4096 || !Platforms.Contains(request.Platform ?? ""))
        {
            return Problem.Validation("A push token and a platform (android, ios, web) are required").ToResult();
        }

        Device? device = null;
        var saved = await store.UpdateAsync<DeviceList>(Keys.Devices(user.RequiredAccountId()), current =>
        {
            var devices = current?.Devices ?? [];
            // Registering the same token again is idempotent: the app may do it on every start.
            device = devices.FirstOrDefault(d => d.Token == request.Token)
                ?? new Device(Guid.NewGuid().ToString("N"), request.Token, request.Platform!, time.GetUtcNow());
            var others = devices.Where(d => d.Id != device.Id).TakeLast(MaxDevices - 1);
            return new DeviceList([.. others, device]);
        }, cancellationToken);
        return saved.Problem is { } problem ? problem.ToResult() : TypedResults.Created($"/api/devices/{device!.Id}", DeviceView.From(device));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string deviceId, ClaimsPrincipal user, UserStore store, CancellationToken cancellationToken)
    {
        var removed = await store.UpdateAsync<DeviceList>(Keys.Devices(user.RequiredAccountId()), current =>
            current?.Devices.Any(d => d.Id == deviceId) == true
                ? new DeviceList(current.Devices.Where(d => d.Id != deviceId).ToList())
                : Problem.NotFound("device"), cancellationToken);
        return removed.Problem is { } problem ? problem.ToResult() : TypedResults.NoContent();
    }
}
