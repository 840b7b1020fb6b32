using System.Security.Cryptography;
using Dapr;
using Dapr.Client;
using DaprChat.Contracts;
using DaprChat.Main.Security;
using DaprChat.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace DaprChat.Main.Accounts;

/// <summary>
/// Creates the first admin on first start: email from configuration (<c>Accounts:BootstrapAdminEmail</c>), password from the
/// <c>secrets</c> store. Idempotent across restarts and replicas: the email index makes the second attempt a no-op.
/// </summary>
public sealed partial class BootstrapAdmin(
    IServiceProvider services,
    DaprClient dapr,
    ISecretSource secrets,
    IOptions<AccountOptions> options,
    IOptions<KeyOptions> keyOptions,
    IHostEnvironment environment,
    ILogger<BootstrapAdmin> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var email = options.Value.BootstrapAdminEmail;
        if (string.IsNullOrWhiteSpace(email))
        {
            return;
        }

        try
        {
            await dapr.WaitForSidecarAsync(stoppingToken);
            using var scope = services.CreateScope();
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            if (await accounts.FindByEmailAsync(email, stoppingToken) is not null)
            {
                return;
            }

            var secret = options.Value.BootstrapAdminPasswordSecret;
            var password = await secrets.ReadAsync(secret, stoppingToken);

            if (string.IsNullOrEmpty(password) && DevSecretFile.Allowed(keyOptions.Value, environment))
            {
                // A newcomer's first run: a random password in the ignored dev folder; the log names the file, never the password.
                var dir = DevSecretFile.Directory(keyOptions.Value, environment);
                password = DevSecretFile.ReadOrCreate(dir, "bootstrap-admin-password", () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18))).Value.Trim();
                LogDevPassword(email, Path.Combine(dir, "bootstrap-admin-password"));
            }

            if (string.IsNullOrEmpty(password))
            {
                LogNoPassword(secret);
                return;
            }

            var created = await accounts.CreateAsync(email, "Administrator", Roles.Admin, password, stoppingToken);
            if (created.Problem is { } problem)
            {
                LogFailed(problem.Code);
                return;
            }

            LogCreated(created.Value!.Id);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            LogError(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No bootstrap admin created: secret {Secret} is missing from the secrets store")]
    private partial void LogNoPassword(string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Development: the first admin {Email} signs in with the password in {Path}")]
    private partial void LogDevPassword(string email, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No bootstrap admin created: {Code}")]
    private partial void LogFailed(string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin account {AccountId} created")]
    private partial void LogCreated(string accountId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bootstrap admin failed")]
    private partial void LogError(Exception exception);
}
