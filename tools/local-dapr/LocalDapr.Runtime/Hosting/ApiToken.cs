using System.Security.Cryptography;
using System.Text;

namespace LocalDapr.Hosting;

/// <summary>DAPR_API_TOKEN as daprd checks it: the dapr-api-token header (HTTP) or metadata entry (gRPC), compared in constant time.</summary>
public static class ApiToken
{
    public const string Header = "dapr-api-token";

    /// <summary>True when no token is configured, or when the given one equals it.</summary>
    public static bool Matches(string? expected, string? given) =>
        expected is not { Length: > 0 } || CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given ?? ""), Encoding.UTF8.GetBytes(expected));

    /// <summary>A fresh random token, as `up` hands one to each app and sidecar per run.</summary>
    public static string Generate() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
