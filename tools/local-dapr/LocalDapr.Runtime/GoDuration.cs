using System.Globalization;
using System.Text.RegularExpressions;

namespace LocalDapr;

/// <summary>Durations and times in the formats daprd accepts (Go durations, ISO-8601, RFC 3339).</summary>
public static partial class GoDuration
{
    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<u>ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex GoPart();

    [GeneratedRegex(@"^P(?:(?<y>\d+)Y)?(?:(?<mo>\d+)M)?(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+(?:\.\d+)?)H)?(?:(?<mi>\d+(?:\.\d+)?)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDuration();

    [GeneratedRegex(@"^R(?<n>\d*)/(?<rest>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Repetition();

    /// <summary>Go's time.ParseDuration: "1h30m", "500ms", "-1s"; no day unit.</summary>
    public static bool TryParseGo(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        var negative = s[0] == '-';
        if (s[0] is '-' or '+')
        {
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        double ticks = 0;
        while (s.Length > 0)
        {
            var m = GoPart().Match(s);
            if (!m.Success)
            {
                return false;
            }

            var n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            ticks += m.Groups["u"].Value switch
            {
                "ns" => n / 100,
                "us" or "µs" => n * 10,
                "ms" => n * TimeSpan.TicksPerMillisecond,
                "s" => n * TimeSpan.TicksPerSecond,
                "m" => n * TimeSpan.TicksPerMinute,
                _ => n * TimeSpan.TicksPerHour,
            };
            s = s[m.Length..];
        }

        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>ISO-8601 duration "PT2H30M"; years, months, days are reported so callers can reject them.</summary>
    public static bool TryParseIso(string text, out TimeSpan value, out bool hasCalendarUnits)
    {
        value = TimeSpan.Zero;
        hasCalendarUnits = false;
        var m = IsoDuration().Match(text.Trim());
        if (!m.Success || text.Trim() == "P" || text.Trim().EndsWith('T'))
        {
            return false;
        }

        double Get(string g) => m.Groups[g].Success ? double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
        hasCalendarUnits = m.Groups["y"].Success || m.Groups["mo"].Success || m.Groups["w"].Success || m.Groups["d"].Success;
        value = TimeSpan.FromDays((Get("y") * 365) + (Get("mo") * 30) + (Get("w") * 7) + Get("d"))
            + TimeSpan.FromHours(Get("h")) + TimeSpan.FromMinutes(Get("mi")) + TimeSpan.FromSeconds(Get("s"));
        return true;
    }

    /// <summary>dapr/kit ParseTime: a Go duration or ISO duration from now, or an RFC 3339 absolute time; empty = now.</summary>
    public static bool TryParseDueTime(string? text, DateTimeOffset now, out DateTimeOffset due)
    {
        due = now;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (TryParseGo(text, out var d))
        {
            due = now + d;
            return true;
        }

        if (TryParseIso(text, out var iso, out _))
        {
            due = now + iso;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out due);
    }

    /// <summary>A reminder/timer period: Go or ISO duration, with an optional "Rn/" repetition count (null = unbounded).</summary>
    public static bool TryParsePeriod(string text, out TimeSpan period, out int? repetitions, out bool hasCalendarUnits, out string? error)
    {
        period = TimeSpan.Zero;
        repetitions = null;
        hasCalendarUnits = false;
        error = null;
        var s = text.Trim();
        var rep = Repetition().Match(s);
        if (rep.Success)
        {
            if (rep.Groups["n"].Value.Length > 0)
            {
                repetitions = int.Parse(rep.Groups["n"].Value, CultureInfo.InvariantCulture);
                if (repetitions == 0)
                {
                    error = "has zero repetitions";
                    return false;
                }
            }

            s = rep.Groups["rest"].Value;
        }

        if (TryParseGo(s, out period))
        {
            return true;
        }

        if (TryParseIso(s, out period, out hasCalendarUnits))
        {
            return true;
        }

        error = $"unsupported period format: {text}";
        return false;
    }

    /// <summary>Formats like Go's Duration.String(): "1h0m0s", "1.5s", "500ms".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = value < TimeSpan.Zero ? "-" : "";
        value = value.Duration();
        if (value < TimeSpan.FromSeconds(1))
        {
            return sign + value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        }

        var hours = (long)value.TotalHours;
        var minutes = value.Minutes;
        var seconds = value.TotalSeconds - (hours * 3600) - (minutes * 60);
        var secondsText = seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
        return hours > 0 ? $"{sign}{hours}h{minutes}m{secondsText}" : minutes > 0 ? $"{sign}{minutes}m{secondsText}" : sign + secondsText;
    }
}
