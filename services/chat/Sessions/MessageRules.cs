namespace DaprChat.Chat.Sessions;

/// <summary>What a message must be, checked by the socket (to answer the client) and by the actor (the single writer).</summary>
public static class MessageRules
{
    public const int MaxClientIdLength = 64;

    /// <summary>Characters as people count them (Unicode scalar values), so an emoji is one, not two.</summary>
    public static int Length(string content) => content.EnumerateRunes().Count();

    public static bool IsBlank(string? content) => string.IsNullOrWhiteSpace(content);

    public static bool IsValidClientId(string? clientId) =>
        !string.IsNullOrEmpty(clientId) && clientId.Length <= MaxClientIdLength && clientId.All(c => c > ' ' && c < 127);
}
