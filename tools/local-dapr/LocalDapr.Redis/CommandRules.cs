using System.Collections.Frozen;
using System.Globalization;

namespace LocalDapr.Redis;

/// <summary>Which commands a connection accepts and how long their replies may take.</summary>
internal static class CommandRules
{
    // Push modes, RESP3 and RESET break the one-reply-per-command matching or the handshake state on any connection.
    private static readonly FrozenSet<string> Unsupported =
        new[] { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "HELLO", "RESET" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // Connection state that would leak into other callers' commands on a shared connection.
    private static readonly FrozenSet<string> SessionState =
        new[] { "SELECT", "WATCH", "UNWATCH" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> Transaction =
        new[] { "MULTI", "EXEC", "DISCARD" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // Commands that may legitimately wait on the server; on a dedicated connection they get no CommandTimeout.
    private static readonly FrozenSet<string> Blocking =
        new[] { "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF" }
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static void CheckAllowed(string? name, bool dedicated, bool inPipeline)
    {
        if (name is null)
        {
            return;
        }

        if (Unsupported.Contains(name))
        {
            throw new NotSupportedException($"{name} is not supported: this client matches exactly one RESP2 reply to each command.");
        }

        if (!dedicated && (SessionState.Contains(name) || (!inPipeline && Transaction.Contains(name))))
        {
            throw new InvalidOperationException(
                $"{name} would affect other callers of the shared connection. Use RedisOptions.Database instead of SELECT, " +
                "put MULTI ... EXEC in one PipelineAsync call, or use OpenDedicated() for WATCH.");
        }
    }

    /// <summary>A MULTI left open on the shared connection would swallow other callers' commands into the transaction.</summary>
    public static void CheckTransactionsBalanced(IReadOnlyList<IReadOnlyList<object?>> commands)
    {
        var inTransaction = false;
        foreach (var command in commands)
        {
            if (command[0] is string name && Transaction.Contains(name))
            {
                var opens = name.Equals("MULTI", StringComparison.OrdinalIgnoreCase);
                if (opens == inTransaction)
                {
                    throw new ArgumentException($"Unbalanced {name} in the pipeline: each MULTI needs its own EXEC or DISCARD.", nameof(commands));
                }

                inTransaction = opens;
            }
        }

        if (inTransaction)
        {
            throw new ArgumentException("The pipeline ends inside MULTI: add EXEC or DISCARD.", nameof(commands));
        }
    }

    /// <summary>
    /// CommandTimeout, except on a dedicated connection: XREAD/XREADGROUP ... BLOCK ms get ms + CommandTimeout
    /// (BLOCK 0: unbounded) and BLPOP-style commands are unbounded. -1 means no timeout.
    /// </summary>
    public static long DefaultTimeoutMs(string? name, IReadOnlyList<object?> args, int firstArg, bool dedicated, long commandTimeoutMs)
    {
        if (!dedicated || name is null)
        {
            return commandTimeoutMs;
        }

        if (Blocking.Contains(name))
        {
            return -1;
        }

        if (name.Equals("XREAD", StringComparison.OrdinalIgnoreCase) || name.Equals("XREADGROUP", StringComparison.OrdinalIgnoreCase))
        {
            for (var i = firstArg; i < args.Count - 1; i++)
            {
                if (args[i] is string option && option.Equals("BLOCK", StringComparison.OrdinalIgnoreCase) && TryGetLong(args[i + 1], out var blockMs))
                {
                    // The server answers after blockMs at the latest; CommandTimeout on top covers the reply's trip.
                    return blockMs == 0 || commandTimeoutMs < 0 ? -1 : blockMs + commandTimeoutMs;
                }
            }
        }

        return commandTimeoutMs;
    }

    private static bool TryGetLong(object? value, out long result)
    {
        switch (value)
        {
            case int i:
                result = i;
                return true;
            case long l:
                result = l;
                return true;
            case string s:
                return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out result);
            default:
                result = 0;
                return false;
        }
    }
}
