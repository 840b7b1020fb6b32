using DaprChat.Main.Accounts;
using Xunit;

namespace DaprChat.Main.Tests.Unit;

public sealed class PasswordHasherTests
{
    // The format and upgrade rules do not depend on the cost; a low count keeps these tests fast.
    private readonly Pbkdf2PasswordHasher _hasher = new(1_000);

    [Fact]
    public void A_hash_is_versioned_PBKDF2_SHA256_with_its_iteration_count_and_a_random_salt()
    {
        var first = _hasher.Hash("a long enough password");
        var second = _hasher.Hash("a long enough password");

        Assert.StartsWith("$pbkdf2-sha256$v=1$i=1000$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.True(Pbkdf2PasswordHasher.TryParse(first, out var iterations, out var salt, out var hash));
        Assert.Equal(1_000, iterations);
        Assert.Equal(16, salt.Length);
        Assert.Equal(32, hash.Length);
    }

    [Fact]
    public void The_right_password_verifies_and_a_wrong_one_does_not()
    {
        var stored = _hasher.Hash("a long enough password");

        Assert.Equal(PasswordCheck.Succeeded, _hasher.Verify("a long enough password", stored));
        Assert.Equal(PasswordCheck.Failed, _hasher.Verify("a long enough passworD", stored));
    }

    [Fact]
    public void A_hash_made_at_a_lower_cost_verifies_and_asks_to_be_rehashed_at_the_current_cost()
    {
        var old = new Pbkdf2PasswordHasher(500).Hash("a long enough password");

        Assert.Equal(PasswordCheck.SucceededRehashNeeded, _hasher.Verify("a long enough password", old));
        Assert.Equal(PasswordCheck.Succeeded, new Pbkdf2PasswordHasher(500).Verify("a long enough password", old));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("$pbkdf2-sha256$v=1$i=0$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$v=1$i=1000$not base64$AAAA")]
    [InlineData("$pbkdf2-sha256$v=2$i=1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void A_malformed_or_unknown_format_never_verifies(string stored) =>
        Assert.Equal(PasswordCheck.Failed, _hasher.Verify("anything", stored));

    [Fact]
    public void The_service_default_cost_is_at_least_600000_iterations() =>
        Assert.True(new AccountOptions().PasswordIterations >= 600_000);
}
