using System.Security.Cryptography;
using System.Text;
using Dapr;
using DaprChat.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Main.Security;

/// <summary>The keys main signs with: one current ES256 key, the previous ones for verification only, and the student-key pepper.</summary>
public sealed record KeySet(ECDsaSecurityKey Current, IReadOnlyList<ECDsaSecurityKey> Verification, byte[] Pepper, DateTimeOffset LoadedAt)
{
    public SigningCredentials SigningCredentials { get; } = new(Current, SecurityAlgorithms.EcdsaSha256);
}

/// <summary>
/// Reads keys from the <c>secrets</c> store (re-read every <see cref="KeyOptions.RefreshInterval"/>); in development, when
/// the store has none, generates them once into a git-ignored folder. Logs key ids only, never key material.
/// </summary>
public sealed partial class KeyRing(ISecretSource secrets, IOptions<KeyOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<KeyRing> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KeySet? _keys;

    /// <summary>The keys as last loaded (null before the first load); for synchronous callers such as token validation.</summary>
    public KeySet? Snapshot => _keys;

    public void Dispose() => _gate.Dispose();

    public async Task<KeySet> GetAsync(CancellationToken cancellationToken)
    {
        var keys = _keys;
        if (keys is not null && time.GetUtcNow() - keys.LoadedAt < options.Value.RefreshInterval)
        {
            return keys;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            keys = _keys;
            if (keys is not null && time.GetUtcNow() - keys.LoadedAt < options.Value.RefreshInterval)
            {
                return keys;
            }

            try
            {
                _keys = await LoadAsync(cancellationToken);
            }
            catch (Exception ex) when (keys is not null && ex is DaprException or HttpRequestException or Grpc.Core.RpcException)
            {
                // A secrets store hiccup must not take signing down: keep the keys we have and try again next time.
                LogRefreshFailed(ex);
                _keys = keys with { LoadedAt = time.GetUtcNow() };
            }

            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<KeySet> LoadAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var currentPem = await ReadSecretAsync(o.SigningKeySecret, cancellationToken);
        var previousPem = await ReadSecretAsync(o.PreviousSigningKeysSecret, cancellationToken);
        var pepperText = await ReadSecretAsync(o.PepperSecret, cancellationToken);
        if (currentPem is null || pepperText is null)
        {
            if (!DevSecretFile.Allowed(o, environment))
            {
                throw new InvalidOperationException(
                    $"The secrets store '{DaprNames.SecretStore}' has no '{o.SigningKeySecret}' or '{o.PepperSecret}', and dev keys are off outside Development");
            }

            var dir = DevSecretFile.Directory(o, environment);
            currentPem ??= DevFile(dir, "signing-key.pem", () => ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem());
            previousPem ??= File.Exists(Path.Combine(dir, "signing-key.previous.pem")) ? await File.ReadAllTextAsync(Path.Combine(dir, "signing-key.previous.pem"), cancellationToken) : null;
            pepperText ??= DevFile(dir, "student-key-pepper", () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var current = ToKey(currentPem, requirePrivate: true);
        var previous = SplitPems(previousPem).Select(pem => ToKey(pem, requirePrivate: false)).Where(k => k.KeyId != current.KeyId).ToList();
        LogLoaded(current.KeyId, string.Join(",", previous.Select(k => k.KeyId)));
        return new KeySet(current, [current, .. previous], Encoding.UTF8.GetBytes(pepperText.Trim()), time.GetUtcNow());
    }

    private Task<string?> ReadSecretAsync(string name, CancellationToken cancellationToken) => secrets.ReadAsync(name, cancellationToken);

    private string DevFile(string dir, string name, Func<string> create)
    {
        var (value, created) = DevSecretFile.ReadOrCreate(dir, name, create);
        if (created)
        {
            LogDevKeyCreated(Path.Combine(dir, name));
        }

        return value;
    }

    public static ECDsaSecurityKey ToKey(string pem, bool requirePrivate)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid.FriendlyName is not ("nistP256" or "ECDSA_P256") && parameters.Curve.Oid.Value != "1.2.840.10045.3.1.7")
        {
            throw new InvalidOperationException("Signing keys must be EC P-256 (ES256)");
        }

        if (requirePrivate && !pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The current signing key must include its private part");
        }

        var key = new ECDsaSecurityKey(ecdsa);
        key.KeyId = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key).ComputeJwkThumbprint());
        return key;
    }

    private static IEnumerable<string> SplitPems(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            yield break;
        }

        var start = 0;
        while ((start = text.IndexOf("-----BEGIN ", start, StringComparison.Ordinal)) >= 0)
        {
            var endMarker = text.IndexOf("-----END ", start, StringComparison.Ordinal);
            var end = endMarker < 0 ? -1 : text.IndexOf("-----", endMarker + 9, StringComparison.Ordinal);
            if (end < 0)
            {
                yield break;
            }

            yield return text[start..(end + 5)];
            start = end + 5;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing keys loaded: current kid {Kid}, previous kids [{PreviousKids}]")]
    private partial void LogLoaded(string? kid, string previousKids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated a development key file at {Path}; never use it in production")]
    private partial void LogDevKeyCreated(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not re-read signing keys; keeping the ones loaded")]
    private partial void LogRefreshFailed(Exception exception);
}
