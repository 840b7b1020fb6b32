using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DaprChat.Main.Accounts;

public enum PasswordCheck
{
    Failed,
    Succeeded,

    /// <summary>Right password, but hashed at a lower cost than configured: store a fresh hash.</summary>
    SucceededRehashNeeded,
}

public interface IPasswordHasher
{
    string Hash(string password);

    PasswordCheck Verify(string password, string storedHash);

    /// <summary>Costs what a real verification costs, for logins of unknown accounts (same timing, same answer).</summary>
    void VerifyDummy(string password);
}

/// <summary>
/// PBKDF2-HMAC-SHA256 in a versioned, self-describing format: <c>$pbkdf2-sha256$v=1$i={iterations}${salt}${hash}</c>
/// (base64). The iteration count travels with each hash, so the cost can be raised and old hashes upgraded on login.
/// </summary>
public sealed class Pbkdf2PasswordHasher(int iterations) : IPasswordHasher
{
    public const int MinimumIterations = 600_000;
    private const string Prefix = "$pbkdf2-sha256$v=1$i=";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly Lazy<string> _dummy = new(() => Create("not a real password", RandomNumberGenerator.GetBytes(SaltBytes), iterations));

    public int Iterations { get; } = iterations;

    public string Hash(string password) => Create(password, RandomNumberGenerator.GetBytes(SaltBytes), Iterations);

    public PasswordCheck Verify(string password, string storedHash)
    {
        if (!TryParse(storedHash, out var storedIterations, out var salt, out var expected))
        {
            return PasswordCheck.Failed;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, storedIterations, HashAlgorithmName.SHA256, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordCheck.Failed;
        }

        return storedIterations < Iterations ? PasswordCheck.SucceededRehashNeeded : PasswordCheck.Succeeded;
    }

    public void VerifyDummy(string password) => Verify(password, _dummy.Value);

    public static bool TryParse(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = stored[Prefix.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[1]);
            hash = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= SaltBytes && hash.Length == HashBytes;
    }

    private static string Create(string password, byte[] salt, int iterations)
    {
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }
}
