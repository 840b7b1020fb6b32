using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Main.Security;

/// <summary>
/// The stable key that links one student's summaries: HMAC-SHA256 of the account id under a pepper only main holds,
/// so the key leads nowhere without main.
/// </summary>
public sealed class StudentKeys(KeyRing keys)
{
    public async Task<string> ForAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        var keySet = await keys.GetAsync(cancellationToken);
        return Derive(keySet.Pepper, accountId);
    }

    public static string Derive(byte[] pepper, string accountId) =>
        "sk_" + Base64UrlEncoder.Encode(HMACSHA256.HashData(pepper, Encoding.UTF8.GetBytes(accountId)));
}
