namespace DaprChat.Main.Directory;

/// <summary>The live status a counsellor or volunteer sets for themselves.</summary>
public static class BookStatus
{
    public const string Available = "available";
    public const string Busy = "busy";
    public const string Away = "away";
    public const string Offline = "offline";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Available, Busy, Away, Offline };
}

/// <summary>A book's public profile and limits, under <c>profile:{accountId}</c>. Never holds the email or real name.</summary>
public sealed record BookProfile(
    string AccountId,
    string Role,
    string DisplayName,
    string Bio,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Languages,
    string Status,
    int MaxActiveChats,
    DateTimeOffset StatusChangedAt);

/// <summary>What a student sees of a book: the display name, never an email.</summary>
public sealed record BookView(
    string Id,
    string DisplayName,
    string Role,
    string Bio,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Languages,
    string Status,
    int ActiveChats,
    int MaxActiveChats,
    bool AcceptingRequests)
{
    public static BookView From(BookProfile p, int activeChats) => new(p.AccountId, p.DisplayName, p.Role, p.Bio, p.Topics, p.Languages, p.Status,
        activeChats, p.MaxActiveChats, p.Status == BookStatus.Available && activeChats < p.MaxActiveChats);
}

/// <summary>A partial update: fields left out (or null) stay as they are.</summary>
public sealed record ProfileUpdate(string? DisplayName = null, string? Bio = null, IReadOnlyList<string>? Topics = null, IReadOnlyList<string>? Languages = null);

public sealed record StatusUpdate(string Status);
