using System.Text;

namespace DaprChat.Reliability;

/// <summary>
/// Seeded generator of text frames that are each wrong by construction (never a valid frame by accident), with the
/// error code chat documents for them (services/chat/README.md).
/// </summary>
public static class BadFrames
{
    public static IEnumerable<(string Frame, string[] Codes)> Generate(int seed, int count)
    {
        var random = new Random(seed);
        string Word() => new(Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());
        string Id() => $"f-{random.Next(1_000_000)}";
        for (var i = 0; i < count; i++)
        {
            var valid = $"{{\"v\":1,\"type\":\"send\",\"clientId\":\"{Id()}\",\"content\":\"{Word()}\"}}";
            yield return (random.Next(12)) switch
            {
                // Cut short anywhere before the closing brace: never valid JSON.
                0 => (valid[..random.Next(0, valid.Length - 1)], ["bad_json"]),
                1 => (new string(Enumerable.Range(0, random.Next(1, 200)).Select(_ => (char)random.Next(0x21, 0x7f)).Where(c => c is not '{' and not '[' and not '"' and not '-' and not (>= '0' and <= '9') and not 't' and not 'f' and not 'n').ToArray()) is { Length: > 0 } junk ? junk : "x", ["bad_json"]),
                2 => ($"{{\"v\":{random.Next(2, 100)},\"type\":\"send\",\"clientId\":\"{Id()}\",\"content\":\"x\"}}", ["unsupported_version"]),
                3 => ($"{{\"v\":1,\"type\":\"{Word()}-{Word()}\"}}", ["unknown_type"]),
                4 => (new string('[', 17 + random.Next(40)) + new string(']', 17 + random.Next(40)), ["too_deep", "bad_json", "bad_frame"]),
                5 => ($"{{\"v\":1,\"type\":\"send\",\"clientId\":\"{Id()}\",\"content\":\"{new string(' ', random.Next(0, 10))}\"}}", ["empty_message"]),
                6 => ($"{{\"v\":1,\"type\":\"send\",\"clientId\":\"{Id()}\",\"content\":\"{new string('x', 4001 + random.Next(3000))}\"}}", ["message_too_long"]),
                7 => ($"{{\"v\":1,\"type\":\"send\",\"clientId\":\"{new string(' ', random.Next(0, 3))}\",\"content\":\"x\"}}", ["bad_client_id", "bad_frame"]),
                8 => ($"{{\"v\":1,\"type\":\"send\",\"clientId\":\"{new string('c', 200 + random.Next(500))}\",\"content\":\"x\"}}", ["bad_client_id", "bad_frame"]),
                9 => ($"{{\"v\":1,\"type\":\"send\",\"clientId\":{random.Next()},\"content\":{random.Next()}}}", ["bad_frame", "bad_client_id"]),
                10 => ($"{{\"v\":1,\"type\":\"resume\",\"afterSeq\":\"{Word()}\"}}", ["bad_frame"]),
                _ => (random.Next(3) switch { 0 => "[]", 1 => "\"text\"", _ => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) }, ["bad_frame", "bad_json"]),
            };
        }
    }

    public static byte[] Utf8(string frame) => Encoding.UTF8.GetBytes(frame);
}
