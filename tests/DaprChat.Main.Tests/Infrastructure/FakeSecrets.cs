using DaprChat.Main.Security;

namespace DaprChat.Main.Tests.Infrastructure;

/// <summary>Secrets as a store holds them, for unit tests of key handling: a missing name is null, as SecretReader reports daprd's "not found".</summary>
public sealed class FakeSecrets : ISecretSource
{
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, every read fails as an unreachable sidecar does.</summary>
    public bool Unreachable { get; set; }

    public Task<string?> ReadAsync(string name, CancellationToken cancellationToken) => Unreachable
        ? Task.FromException<string?>(new HttpRequestException("the sidecar is not reachable"))
        : Task.FromResult(Secrets.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null);
}
