using System.Text.RegularExpressions;

namespace DaprChat.Main.WebClient;

/// <summary>
/// Section <c>Help</c>: where someone in danger is pointed, set per deployment (the emergency number differs by
/// country). Shown at the top of every screen of the web client.
/// </summary>
public sealed partial class HelpOptions
{
    /// <summary>The local emergency number, e.g. 112, 999 or 911; empty says "your local emergency number" instead.</summary>
    public string? EmergencyNumber { get; set; }

    /// <summary>A list of helplines; by default ThroughLine's international directory.</summary>
    public string HelplinesUrl { get; set; } = "https://findahelpline.com/";

    /// <summary>Digits, spaces and a leading +: what a <c>tel:</c> link can dial.</summary>
    public bool HasDialableNumber() => string.IsNullOrEmpty(EmergencyNumber) || DialablePattern().IsMatch(EmergencyNumber);

    public bool HasHttpsHelplinesUrl() => Uri.TryCreate(HelplinesUrl, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps;

    [GeneratedRegex(@"^\+?[0-9][0-9 ]{0,19}$")]
    private static partial Regex DialablePattern();
}
