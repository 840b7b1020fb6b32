using System.Security.Cryptography;
using System.Text;

namespace LocalDapr.Redis;

/// <summary>A Lua script with its SHA1, so it can be run with EVALSHA and only sent in full when Redis lacks it.</summary>
public sealed class LuaScript
{
    public LuaScript(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
#pragma warning disable CA5350 // Redis names scripts by their SHA1; this is an identifier, not a security measure.
        Sha1Hex = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
#pragma warning restore CA5350
    }

    public string Source { get; }

    /// <summary>Lower-case hex SHA1 of the UTF-8 source, as SCRIPT LOAD returns it.</summary>
    public string Sha1Hex { get; }

    public override string ToString() => $"LuaScript {Sha1Hex}";
}
