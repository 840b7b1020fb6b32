using Dapr;
using Dapr.Client;
using DaprChat.Contracts;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DaprChat.Notify.Push;

/// <summary>
/// The push sender this deployment has: FCM when the <c>secrets</c> store holds a service account, log-only when it
/// answers that there is none. Decided at the first push, not at start-up, so a sidecar that is not ready yet (or a
/// secret store that is briefly unreachable) never turns a deployment with FCM into a log-only one.
/// </summary>
public sealed partial class FcmCredentialSource(DaprClient dapr, IServiceProvider services, IOptions<PushOptions> options, ILogger<FcmCredentialSource> logger) : IPushSender, IDisposable
{
    private readonly SemaphoreSlim resolving = new(1, 1);
    private IPushSender? resolved;

    public async Task<PushOutcome> SendAsync(PushDevice device, PushContent content, string recipientKind, CancellationToken cancellationToken)
    {
        var sender = resolved ?? await ResolveAsync(cancellationToken);
        // The store could not be asked: FCM may well be configured, so the push is retried later like an FCM outage.
        return sender is null ? PushOutcome.Unavailable : await sender.SendAsync(device, content, recipientKind, cancellationToken);
    }

    private async Task<IPushSender?> ResolveAsync(CancellationToken cancellationToken)
    {
        await resolving.WaitAsync(cancellationToken);
        try
        {
            if (resolved is not null)
            {
                return resolved;
            }

            var name = options.Value.ServiceAccountSecret;
            string? json;
            try
            {
                var secret = await dapr.GetSecretAsync(DaprNames.SecretStore, name, cancellationToken: cancellationToken);
                json = secret.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
            }
            catch (DaprException ex) when (IsUnreachable(ex))
            {
                LogStoreUnreachable(ex.InnerException?.GetType().Name ?? ex.GetType().Name);
                return null;
            }
            catch (DaprException)
            {
                // daprd answers a missing secret (or a missing store) with an error status: the embedded default.
                json = null;
            }

            if (json is null)
            {
                LogLogOnly();
                return resolved = services.GetRequiredService<LogOnlyPushSender>();
            }

            var credential = FcmCredential.FromJson(json);
            LogFcm(credential.ProjectId);
            return resolved = ActivatorUtilities.CreateInstance<FcmPushSender>(services, credential);
        }
        finally
        {
            resolving.Release();
        }
    }

    public void Dispose() => resolving.Dispose();

    private static bool IsUnreachable(DaprException ex) =>
        ex.InnerException is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unauthenticated }
            or HttpRequestException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No FCM service account configured: pushes are logged, not sent")]
    private partial void LogLogOnly();

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushing through FCM project {ProjectId}")]
    private partial void LogFcm(string projectId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The secret store could not be asked for the FCM service account ({Error}); the push is retried later")]
    private partial void LogStoreUnreachable(string error);
}
