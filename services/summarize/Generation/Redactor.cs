using System.Text.RegularExpressions;

namespace DaprChat.Summarize.Generation;

/// <summary>What was redacted from one text.</summary>
public sealed record Redaction(string Text, int Count);

/// <summary>
/// Removes direct identifiers before a transcript leaves summarize: emails, URLs, phone numbers, @handles and a
/// configured list of names. Order matters: emails before handles (the part after @), URLs before phone numbers.
/// </summary>
public sealed partial class Redactor
{
    private readonly Regex? names;

    public Redactor(IEnumerable<string> redactedNames)
    {
        var list = redactedNames.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        names = list.Count == 0 ? null : new Regex(@"(?<!\w)(?:" + string.Join('|', list.OrderByDescending(n => n.Length).Select(Regex.Escape)) + @")(?!\w)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public Redaction Redact(string text)
    {
        var count = 0;
        string Replace(Regex pattern, string input, string placeholder) => pattern.Replace(input, _ =>
        {
            count++;
            return placeholder;
        });

        var result = Replace(Email(), text, "[email]");
        result = Replace(Url(), result, "[url]");
        result = Replace(Phone(), result, "[phone]");
        result = Replace(Handle(), result, "[handle]");
        if (names is not null)
        {
            result = Replace(names, result, "[name]");
        }

        return new Redaction(result, count);
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""']+|\b[a-z0-9\-]+\.(?:com|org|net|io|me|co|uk|de|app|gg|tv)(?:/[^\s<>""']*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Url();

    // Seven or more digits, with the spaces, dots, dashes and brackets people write them with.
    [GeneratedRegex(@"(?<![\w])\+?\(?\d(?:[\s().\-]*\d){6,}(?![\w])", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Phone();

    [GeneratedRegex(@"(?<![\w@])@[A-Za-z0-9_.]{2,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Handle();
}
