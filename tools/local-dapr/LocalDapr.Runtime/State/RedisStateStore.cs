using System.Globalization;
using LocalDapr.Redis;
using StackExchange.Redis;

namespace LocalDapr.State;

/// <summary>
/// state.redis with components-contrib's data layout: a hash per key with fields data, version (the integer
/// ETag) and first-write, written by Lua so the ETag check and the write are one step. TTL is applied inside the
/// same script (contrib sends EXPIRE after the write; here it cannot be lost between the two).
/// </summary>
public sealed class RedisStateStore(RedisConnection redis, int? defaultTtlSeconds) : IStateStore
{
    private const string SetScript = """
        local etag = redis.pcall("HGET", KEYS[1], "version")
        if type(etag) == "table" then redis.call("DEL", KEYS[1]); etag = false end
        local fwr = redis.pcall("HGET", KEYS[1], "first-write")
        if type(fwr) == "table" then fwr = false end
        if not etag or etag == "" or etag == ARGV[1] or (not fwr and ARGV[1] == "0") then
          redis.call("HSET", KEYS[1], "data", ARGV[2])
          if ARGV[3] == "0" then redis.call("HSET", KEYS[1], "first-write", 0) end
          local version = redis.call("HINCRBY", KEYS[1], "version", 1)
          if ARGV[4] ~= "" then
            local ttl = tonumber(ARGV[4])
            if ttl > 0 then redis.call("EXPIRE", KEYS[1], ttl) else redis.call("PERSIST", KEYS[1]) end
          end
          return version
        end
        return redis.error_reply("failed to set key " .. KEYS[1])
        """;

    private const string DeleteScript = """
        local etag = redis.pcall("HGET", KEYS[1], "version")
        if not etag or type(etag) == "table" or etag == ARGV[1] or etag == "" or ARGV[1] == "0" then
          return redis.call("DEL", KEYS[1])
        end
        return redis.error_reply("failed to delete " .. KEYS[1])
        """;

    // Checks every ETag first, then applies every operation: all or nothing. ARGV holds 5 values per operation.
    private const string MultiScript = """
        for i = 1, #KEYS do
          local op, want, fw = ARGV[(i-1)*5+1], ARGV[(i-1)*5+2], ARGV[(i-1)*5+4]
          local etag = redis.pcall("HGET", KEYS[i], "version")
          if type(etag) == "table" then etag = false end
          if op == "set" then
            local fwr = redis.pcall("HGET", KEYS[i], "first-write")
            if type(fwr) == "table" then fwr = false end
            if not (not etag or etag == "" or etag == want or (not fwr and want == "0")) then
              return redis.error_reply("possible etag mismatch. error from state store: failed to set key " .. KEYS[i])
            end
          elseif not (not etag or etag == "" or etag == want or want == "0") then
            return redis.error_reply("possible etag mismatch. error from state store: failed to delete " .. KEYS[i])
          end
        end
        for i = 1, #KEYS do
          local op, data, fw, ttl = ARGV[(i-1)*5+1], ARGV[(i-1)*5+3], ARGV[(i-1)*5+4], ARGV[(i-1)*5+5]
          if op == "set" then
            if redis.call("TYPE", KEYS[i]).ok ~= "hash" then redis.call("DEL", KEYS[i]) end
            redis.call("HSET", KEYS[i], "data", data)
            if fw == "0" then redis.call("HSET", KEYS[i], "first-write", 0) end
            redis.call("HINCRBY", KEYS[i], "version", 1)
            if ttl ~= "" then
              local t = tonumber(ttl)
              if t > 0 then redis.call("EXPIRE", KEYS[i], t) else redis.call("PERSIST", KEYS[i]) end
            end
          else
            redis.call("DEL", KEYS[i])
          end
        end
        return #KEYS
        """;

    public IReadOnlyList<string> Features { get; } = ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"];

    public async Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var db = await redis.DatabaseAsync();
        return await ReadAsync(db, key, db.HashGetAllAsync(key));
    }

    public async Task<IReadOnlyList<StateItem?>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        // Every HGETALL is sent before the first reply is awaited: one pipelined round trip.
        var db = await redis.DatabaseAsync();
        var pending = keys.Select(k => db.HashGetAllAsync(k)).ToList();
        var items = new StateItem?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            items[i] = await ReadAsync(db, keys[i], pending[i]);
        }

        return items;
    }

    public async Task SetAsync(SetRequest request, CancellationToken cancellationToken)
    {
        var etag = ParseETag(request.ETag, request.Concurrency == Concurrency.LastWrite);
        await EvalAsync(SetScript, [request.Key], [etag, request.Value, FirstWriteFlag(request.Concurrency), Ttl(request.TtlSeconds)]);
    }

    public async Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        var etag = ParseETag(request.ETag, lastWrite: false);
        await EvalAsync(DeleteScript, [request.Key], [etag]);
    }

    public async Task MultiAsync(IReadOnlyList<TransactionOperation> operations, CancellationToken cancellationToken)
    {
        if (operations.Count == 0)
        {
            return;
        }

        var keys = new RedisKey[operations.Count];
        var args = new List<RedisValue>(operations.Count * 5);
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            keys[i] = op.Key;
            if (op.Set is { } set)
            {
                args.AddRange(["set", ParseETag(set.ETag, set.Concurrency == Concurrency.LastWrite), set.Value, FirstWriteFlag(set.Concurrency), Ttl(set.TtlSeconds)]);
            }
            else
            {
                args.AddRange(["del", ParseETag(op.Delete!.ETag, lastWrite: false), "", "1", ""]);
            }
        }

        await EvalAsync(MultiScript, keys, [.. args]);
    }

    private async Task EvalAsync(string script, RedisKey[] keys, RedisValue[] args)
    {
        var db = await redis.DatabaseAsync();
        try
        {
            // StackExchange.Redis sends EVALSHA once the script is cached on the server and falls back to EVAL on NOSCRIPT.
            await db.ScriptEvaluateAsync(script, keys, args);
        }
        catch (RedisServerException ex) when (IsETagFailure(ex))
        {
            throw ETagException.Mismatch(ex.Message);
        }
    }

    private static async Task<StateItem?> ReadAsync(IDatabase db, string key, Task<HashEntry[]> read)
    {
        HashEntry[] fields;
        try
        {
            fields = await read;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // A plain string written by something else (contrib falls back to GET for these).
            var plain = await db.StringGetAsync(key);
            return plain.IsNull ? null : new StateItem((byte[])plain!, null, null);
        }

        byte[]? data = null;
        string? version = null;
        foreach (var field in fields)
        {
            switch ((string?)field.Name)
            {
                case "data":
                    data = (byte[]?)field.Value;
                    break;
                case "version":
                    version = (string?)field.Value;
                    break;
            }
        }

        return data is null ? null : new StateItem(data, version, null);
    }

    private static string ParseETag(string? etag, bool lastWrite)
    {
        if (lastWrite || string.IsNullOrEmpty(etag))
        {
            return "0";
        }

        if (!int.TryParse(etag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
        {
            throw ETagException.Invalid($"strconv.Atoi: parsing \"{etag}\": invalid syntax");
        }

        return version.ToString(CultureInfo.InvariantCulture);
    }

    // Only the scripts' own refusals are ETag conflicts; NOAUTH, OOM or LOADING stay store errors (500).
    private static bool IsETagFailure(RedisServerException ex) =>
        ex.Message.Contains("failed to set key", StringComparison.Ordinal) || ex.Message.Contains("failed to delete", StringComparison.Ordinal);

    private static string FirstWriteFlag(Concurrency concurrency) => concurrency == Concurrency.FirstWrite ? "0" : "1";

    private string Ttl(int? requestTtl) => (requestTtl ?? defaultTtlSeconds)?.ToString(CultureInfo.InvariantCulture) ?? "";
}
