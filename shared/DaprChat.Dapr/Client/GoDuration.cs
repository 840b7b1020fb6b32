using System.Globalization;
using System.Text;
using System.Xml;

namespace DaprChat.Dapr;

/// <summary>
/// Go's <c>time.Duration</c> text, the form daprd reads for actor idle timeouts, reminder and timer schedules
/// ("1h0m0s", "5s", "500ms"; Go has no day unit). Parsing also takes ISO-8601 (<c>PT1H30M</c>, <c>R5/PT1M</c>) and the
/// scheduler's <c>@every 5s</c>.
/// </summary>
public static class GoDuration
{
    /// <summary>Formats like Go's <c>Duration.String()</c>: "0s", "500ms", "5s", "1m30s", "1h0m0s", "1.5s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        // Unsigned so TimeSpan.MinValue does not overflow on negation.
        var ticks = value.Ticks < 0 ? (ulong)-(value.Ticks + 1) + 1 : (ulong)value.Ticks;
        if (value.Ticks < 0)
        {
            builder.Append('-');
        }

        if (ticks < TimeSpan.TicksPerSecond)
        {
            if (ticks >= TimeSpan.TicksPerMillisecond)
            {
                AppendFraction(builder, ticks, TimeSpan.TicksPerMillisecond).Append("ms");
            }
            else if (ticks >= TimeSpan.TicksPerMicrosecond)
            {
                // ASCII "us" rather than Go's "µs": Go parses both and it keeps headers and logs ASCII.
                AppendFraction(builder, ticks, TimeSpan.TicksPerMicrosecond).Append("us");
            }
            else
            {
                builder.Append((ticks * 100).ToString(CultureInfo.InvariantCulture)).Append("ns");
            }

            return builder.ToString();
        }

        var seconds = ticks / TimeSpan.TicksPerSecond;
        var hours = seconds / 3600;
        var minutes = seconds / 60 % 60;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            builder.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var secondTicks = seconds % 60 * TimeSpan.TicksPerSecond + ticks % TimeSpan.TicksPerSecond;
        AppendFraction(builder, secondTicks, TimeSpan.TicksPerSecond).Append('s');
        return builder.ToString();
    }

    private static StringBuilder AppendFraction(StringBuilder builder, ulong ticks, long unit)
    {
        var whole = ticks / (ulong)unit;
        var rest = ticks % (ulong)unit;
        builder.Append(whole.ToString(CultureInfo.InvariantCulture));
        if (rest > 0)
        {
            var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
            builder.Append('.').Append(rest.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0'));
        }

        return builder;
    }

    /// <summary>Parses a Go duration, an ISO-8601 duration or <c>@every &lt;go duration&gt;</c>.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is neither a Go nor an ISO-8601 duration");

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.StartsWith("@every ", StringComparison.Ordinal))
        {
            s = s["@every ".Length..].Trim();
        }

        if (s.StartsWith('R') && s.IndexOf('/', StringComparison.Ordinal) is var slash and > 0)
        {
            // ISO-8601 repetition ("R5/PT1M"): the interval is what a TimeSpan can carry.
            s = s[(slash + 1)..];
        }

        if (s.StartsWith('P') || s.StartsWith("-P", StringComparison.Ordinal))
        {
            try
            {
                value = XmlConvert.ToTimeSpan(s);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        return TryParseGo(s, out value);
    }

    private static bool TryParseGo(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var i = 0;
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i++;
        }

        if (s[i..] == "0")
        {
            return true;
        }

        decimal totalTicks = 0;
        var any = false;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            decimal unit;
            if (Take(s, ref i, "ns")) { unit = 0.01m; }
            else if (Take(s, ref i, "us") || Take(s, ref i, "\u00b5s") || Take(s, ref i, "\u03bcs")) { unit = TimeSpan.TicksPerMicrosecond; }
            else if (Take(s, ref i, "ms")) { unit = TimeSpan.TicksPerMillisecond; }
            else if (Take(s, ref i, "s")) { unit = TimeSpan.TicksPerSecond; }
            else if (Take(s, ref i, "m")) { unit = TimeSpan.TicksPerMinute; }
            else if (Take(s, ref i, "h")) { unit = TimeSpan.TicksPerHour; }
            else { return false; }

            totalTicks += number * unit;
            any = true;
        }

        if (!any || totalTicks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(totalTicks) * (negative ? -1 : 1));
        return true;
    }

    private static bool Take(string s, ref int i, string unit)
    {
        if (string.CompareOrdinal(s, i, unit, 0, unit.Length) == 0)
        {
            i += unit.Length;
            return true;
        }

        return false;
    }
}
