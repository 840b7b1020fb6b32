using DaprChat.Main.Accounts;

namespace DaprChat.Main.Tests.Infrastructure;

/// <summary>The real hasher, counting full-cost verifications so tests can show a wrong email costs what a wrong password does.</summary>
public sealed class CountingHasher(IPasswordHasher inner) : IPasswordHasher
{
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string Hash(string password) => inner.Hash(password);

    public PasswordCheck Verify(string password, string storedHash)
    {
        Interlocked.Increment(ref _verifications);
        return inner.Verify(password, storedHash);
    }

    public void VerifyDummy(string password)
    {
        Interlocked.Increment(ref _verifications);
        inner.VerifyDummy(password);
    }
}
