using Dapr.Client;
using DaprChat.Contracts;

namespace DaprChat.Notify.Dashboard;

/// <summary>Which counsellor a session belongs to, remembered from <c>session.requested</c> for the chat's lifetime (chat.session-ended names only who ended it).</summary>
public sealed class SessionLookup(DaprClient dapr)
{
    private static readonly Dictionary<string, string> Lifetime = new() { ["ttlInSeconds"] = ((long)TimeSpan.FromHours(25).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static string Key(string sessionId) => $"notify-session:{sessionId}";

    public Task RememberAsync(string sessionId, string counselorId, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(DaprNames.StateStores.Chat, Key(sessionId), counselorId, metadata: Lifetime, cancellationToken: cancellationToken);

    public Task<string?> CounselorOfAsync(string sessionId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<string?>(DaprNames.StateStores.Chat, Key(sessionId), cancellationToken: cancellationToken);
}
