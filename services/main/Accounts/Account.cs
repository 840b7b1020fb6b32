using DaprChat.Contracts;

namespace DaprChat.Main.Accounts;

/// <summary>An account as stored under <c>account:{id}</c>. Email and password hash never leave main's API for other users.</summary>
public sealed record Account(
    string Id,
    string Email,
    string DisplayName,
    string Role,
    string? PasswordHash,
    string State,
    bool Blocked,
    DateTimeOffset CreatedAt)
{
    public bool IsBook => Role is Roles.Counselor or Roles.Volunteer;

    public bool CanSignIn => State == AccountStates.Active && PasswordHash is not null;
}

public static class AccountStates
{
    public const string Active = "active";

    /// <summary>Created by an admin; becomes active when the person sets a password with the invite code.</summary>
    public const string Invited = "invited";

    public const string Disabled = "disabled";
}

/// <summary>Keys of everything main keeps in <c>userstore</c>, in one place so the layout can be read at a glance.</summary>
public static class Keys
{
    public static string Account(string id) => $"account:{id}";

    /// <summary>Hashed, so emails appear in no store key or sidecar URL, and any length or character is a valid key.</summary>
    public static string Email(string normalizedEmail) => $"account-email:{AccountService.HashForKey(normalizedEmail)}";

    public static string LoginFailures(string emailHash) => $"login-failures:{emailHash}";

    public static string RefreshToken(string tokenHash) => $"refresh:{tokenHash}";

    public static string RefreshFamily(string familyId) => $"refresh-family:{familyId}";

    public static string Invite(string codeHash) => $"invite:{codeHash}";

    public const string BootstrapDone = "bootstrap-admin";

    public const string BooksIndex = "books-index";

    public static string Profile(string accountId) => $"profile:{accountId}";

    public static string BookSessions(string accountId) => $"book-sessions:{accountId}";

    public static string StudentSessions(string accountId) => $"student-sessions:{accountId}";

    public static string Session(string sessionId) => $"session:{sessionId}";

    public static string Pseudonym(string pseudonym) => $"pseudonym:{pseudonym}";

    public static string Devices(string accountId) => $"devices:{accountId}";
}

public sealed record EmailIndexEntry(string AccountId);

/// <summary>The list of counsellor and volunteer ids: the directory reads it instead of a query the state API lacks.</summary>
public sealed record BooksIndex(IReadOnlyList<string> AccountIds);
