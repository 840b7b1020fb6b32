using System.Security.Cryptography;

namespace DaprChat.Main.Sessions;

/// <summary>A fresh identity per session: <c>anon_</c> plus 80 random bits for the system, a friendly alias for people.</summary>
public static class Pseudonyms
{
    private static readonly string[] Adjectives =
    [
        "Quiet", "Gentle", "Brave", "Calm", "Bright", "Kind", "Steady", "Curious", "Patient", "Hopeful", "Warm", "Clever",
        "Soft", "Bold", "Wise", "Cheerful", "Sunny", "Mellow", "Swift", "Humble", "Lucky", "Playful", "Serene", "Thoughtful",
    ];

    private static readonly string[] Animals =
    [
        "Otter", "Fox", "Owl", "Panda", "Heron", "Badger", "Dolphin", "Robin", "Koala", "Lynx", "Sparrow", "Turtle",
        "Deer", "Hedgehog", "Penguin", "Rabbit", "Swan", "Wren", "Seal", "Finch", "Beaver", "Crane", "Puffin", "Squirrel",
    ];

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string NewPseudonym()
    {
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return "anon_" + new string(chars);
    }

    public static string NewAlias() =>
        $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]} {Animals[RandomNumberGenerator.GetInt32(Animals.Length)]}";
}
