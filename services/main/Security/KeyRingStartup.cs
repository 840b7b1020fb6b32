using DaprChat.Dapr;

namespace DaprChat.Main.Security;

/// <summary>
/// Loads the signing keys as soon as the sidecar answers, so a newcomer's dev keys exist after the first start (not at
/// the first sign-in) and a deployment without keys stops at start-up, with the reason, instead of at the first token.
/// </summary>
public sealed partial class KeyRingStartup(KeyRing keys, DaprClient dapr, ILogger<KeyRingStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await dapr.WaitForSidecarAsync(stoppingToken);
            var loaded = await keys.GetAsync(stoppingToken);
            LogLoaded(loaded.Current.KeyId, loaded.Verification.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException ex)
        {
            // No keys outside Development: the host stops (BackgroundService failures stop it by default).
            LogMissing(ex.Message);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing keys loaded: current kid {Kid}, {Count} verification keys")]
    private partial void LogLoaded(string kid, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "main cannot sign tokens: {Reason}")]
    private partial void LogMissing(string reason);
}
