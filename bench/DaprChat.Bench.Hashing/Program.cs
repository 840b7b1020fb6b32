using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DaprChat.Main.Accounts;

// main's password hashing cost, as time per hash and as a ratio against baselines measured in this same run
// (one HMAC-SHA256, and PBKDF2-SHA256 at 1 iteration), because absolute numbers on a shared 2-core box drift.
var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var password = "correct horse battery staple";
var passwordBytes = Encoding.UTF8.GetBytes(password);
var salt = RandomNumberGenerator.GetBytes(16);

double PerCallMs(int count, Action action)
{
    action(); // warm-up: JIT and OpenSSL initialisation stay out of the numbers
    var start = Stopwatch.GetTimestamp();
    for (var i = 0; i < count; i++)
    {
        action();
    }

    return Stopwatch.GetElapsedTime(start).TotalMilliseconds / count;
}

var hmac = PerCallMs(200_000, () => HMACSHA256.HashData(salt, passwordBytes));
var pbkdf2One = PerCallMs(200_000, () => Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, 1, HashAlgorithmName.SHA256, 32));
var current = new Pbkdf2PasswordHasher(Pbkdf2PasswordHasher.MinimumIterations);
var stored = current.Hash(password);
var rows = new List<(string Name, double Ms)>
{
    ($"hash, {Pbkdf2PasswordHasher.MinimumIterations:N0} iterations (main's default)", PerCallMs(samples, () => current.Hash(password))),
    ("verify, right password", PerCallMs(samples, () => current.Verify(password, stored))),
    ("verify, unknown account (dummy hash)", PerCallMs(samples, () => current.VerifyDummy(password))),
    ("hash, 1,200,000 iterations (a raised cost)", PerCallMs(samples, () => new Pbkdf2PasswordHasher(1_200_000).Hash(password))),
};

Console.WriteLine($"Password hashing, {samples} samples each, {Environment.ProcessorCount} cores");
Console.WriteLine($"baselines: HMAC-SHA256 {hmac * 1000:F2} µs, PBKDF2-SHA256 x1 {pbkdf2One * 1000:F2} µs");
Console.WriteLine();
Console.WriteLine("| operation | ms per call | × HMAC-SHA256 | × PBKDF2 x1 |");
Console.WriteLine("| --- | --- | --- | --- |");
foreach (var (name, ms) in rows)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ms:F1} | {ms / hmac:N0} | {ms / pbkdf2One:N0} |"));
}
