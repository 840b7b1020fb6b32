using System.Text.Json;
using DaprChat.Chat.Sessions;

namespace DaprChat.Chat.Realtime;

/// <summary>A frame from a client, parsed and checked; anything else becomes an <see cref="ErrorFrame"/>.</summary>
public abstract record ClientFrame
{
    public static (ClientFrame? Frame, ErrorFrame? Error) Parse(ReadOnlyMemory<byte> utf8Json, int maxDepth, int maxMessageLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException)
        {
            return (null, IsTooDeep(utf8Json, maxDepth)
                ? new ErrorFrame(ErrorCodes.TooDeep, $"JSON may be nested at most {maxDepth} deep")
                : new ErrorFrame(ErrorCodes.BadJson, "The frame is not valid JSON"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, new ErrorFrame(ErrorCodes.BadFrame, "A frame is a JSON object with \"v\" and \"type\""));
            }

            if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != Protocol.Version)
            {
                return (null, new ErrorFrame(ErrorCodes.UnsupportedVersion, $"This server speaks protocol version {Protocol.Version}"));
            }

            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return type switch
            {
                "send" => ParseSend(root, maxMessageLength),
                "typing" => Bool(root, "isTyping") is { } typing ? (new TypingRequest(typing), null) : Bad("typing needs \"isTyping\": true or false"),
                "read" => Sequence(root, "upToSeq") is { } upTo ? (new ReadRequest(upTo), null) : Bad("read needs \"upToSeq\": a sequence number"),
                "resume" => Sequence(root, "afterSeq") is { } after ? (new ResumeRequest(after), null) : Bad("resume needs \"afterSeq\": a sequence number (0 for everything)"),
                "end" => (new EndRequest(), null),
                "ping" => (new PingRequest(String(root, "id") is { Length: <= 64 } id ? id : null), null),
                null => Bad("A frame needs a \"type\""),
                _ => (null, new ErrorFrame(ErrorCodes.UnknownType, "Unknown frame type")),
            };
        }
    }

    private static (ClientFrame?, ErrorFrame?) ParseSend(JsonElement root, int maxMessageLength)
    {
        var clientId = String(root, "clientId");
        if (!MessageRules.IsValidClientId(clientId))
        {
            return (null, new ErrorFrame(ErrorCodes.BadClientId, $"send needs a \"clientId\" of 1 to {MessageRules.MaxClientIdLength} printable ASCII characters"));
        }

        var content = String(root, "content");
        return content is null ? (null, new ErrorFrame(ErrorCodes.BadFrame, "send needs \"content\": a string", clientId))
            : MessageRules.IsBlank(content) ? (null, new ErrorFrame(ErrorCodes.EmptyMessage, "A message cannot be empty", clientId))
            : MessageRules.Length(content) > maxMessageLength ? (null, new ErrorFrame(ErrorCodes.MessageTooLong, $"A message can be at most {maxMessageLength} characters", clientId))
            : (new SendRequest(clientId!, content), null);
    }

    private static (ClientFrame?, ErrorFrame?) Bad(string message) => (null, new ErrorFrame(ErrorCodes.BadFrame, message));

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static long? Sequence(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seq) && seq >= 0 ? seq : null;

    /// <summary>Only on the error path: tells "too deep" from "not JSON" so the client learns which.</summary>
    private static bool IsTooDeep(ReadOnlyMemory<byte> utf8Json, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8Json.Span, new JsonReaderOptions { MaxDepth = 4096 });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth >= maxDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}

public sealed record SendRequest(string ClientId, string Content) : ClientFrame;

public sealed record TypingRequest(bool IsTyping) : ClientFrame;

public sealed record ReadRequest(long UpToSeq) : ClientFrame;

public sealed record ResumeRequest(long AfterSeq) : ClientFrame;

public sealed record EndRequest : ClientFrame;

public sealed record PingRequest(string? Id) : ClientFrame;
