using System.Diagnostics;
using System.Net.Sockets;

namespace LocalDapr.Redis;

/// <summary>
/// A logical connection to Redis that opens its socket lazily and reopens it after a failure (with AUTH and
/// SELECT each time). The client's shared connection multiplexes all callers; a dedicated one (from
/// <see cref="RedisClient.OpenDedicated"/>) is meant for blocking commands such as XREADGROUP ... BLOCK.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Action<RedisConnection>? _onDisposed;
    private readonly string _host;
    private readonly int _port;
    private readonly long _commandTimeoutMs;
    private readonly TimeSpan _timeoutCheckInterval;
    private RedisSession? _session;
    private Task<RedisSession>? _connecting;
    private int _disposed;
    private long _socketWrites;
    private long _commandsWritten;

    internal RedisConnection(RedisOptions options, bool dedicated, Action<RedisConnection>? onDisposed = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Database, nameof(options));
        if (options.CommandTimeout <= TimeSpan.Zero && options.CommandTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "CommandTimeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        Options = options;
        IsDedicated = dedicated;
        _onDisposed = onDisposed;
        (_host, _port) = options.ParseEndpoint();
        Endpoint = _host.Contains(':', StringComparison.Ordinal) ? $"[{_host}]:{_port}" : $"{_host}:{_port}";
        _commandTimeoutMs = ToMilliseconds(options.CommandTimeout);
        // Overdue replies are noticed within a tenth of the timeout (10-100 ms), at the cost of one timer per socket.
        _timeoutCheckInterval = options.CommandTimeout == Timeout.InfiniteTimeSpan
            ? TimeSpan.FromMilliseconds(100)
            : TimeSpan.FromMilliseconds(Math.Clamp(options.CommandTimeout.TotalMilliseconds / 10, 10, 100));
    }

    public RedisOptions Options { get; }

    public bool IsDedicated { get; }

    public string Endpoint { get; }

    /// <summary>True while a socket is open; false before the first command and after a failure until the next one.</summary>
    public bool IsConnected => Volatile.Read(ref _session) is { IsOpen: true };

    /// <summary>Socket writes so far; with <see cref="CommandWriteCount"/> shows how well commands are coalesced.</summary>
    internal long SocketWriteCount => Interlocked.Read(ref _socketWrites);

    internal long CommandWriteCount => Interlocked.Read(ref _commandsWritten);

    /// <summary>Runs one command. Throws <see cref="RedisServerException"/> for an error reply.</summary>
    public Task<RedisReply> ExecuteAsync(string command, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        RespWriter.Validate(args, nameof(args));
        CommandRules.CheckAllowed(command, IsDedicated, inPipeline: false);
        var timeoutMs = CommandRules.DefaultTimeoutMs(command, args, 0, IsDedicated, _commandTimeoutMs);
        return SendAsync(new CommandRequest(command, args, timeoutMs), CancellationToken.None);
    }

    public Task<RedisReply> ExecuteAsync(IReadOnlyList<object?> commandAndArgs, CancellationToken cancellationToken = default) =>
        ExecuteAsync(commandAndArgs, null, cancellationToken);

    /// <summary>
    /// Runs one command with an explicit reply timeout. When <paramref name="timeout"/> is null the default applies:
    /// CommandTimeout, except on a dedicated connection where XREAD/XREADGROUP ... BLOCK ms get ms + CommandTimeout
    /// (BLOCK 0: none) and BLPOP-style commands get none; cancelling then recycles the dedicated socket.
    /// </summary>
    public Task<RedisReply> ExecuteAsync(IReadOnlyList<object?> commandAndArgs, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        ValidateCommand(commandAndArgs, nameof(commandAndArgs));
        var name = commandAndArgs[0] as string;
        CommandRules.CheckAllowed(name, IsDedicated, inPipeline: false);
        var timeoutMs = timeout is { } explicitTimeout
            ? ToMilliseconds(explicitTimeout)
            : CommandRules.DefaultTimeoutMs(name, commandAndArgs, 1, IsDedicated, _commandTimeoutMs);
        return SendAsync(new CommandRequest(null, commandAndArgs, timeoutMs), cancellationToken);
    }

    /// <summary>
    /// Sends all commands in one write, together, and returns their replies in order. Error replies are returned as
    /// <see cref="RedisReply.Error"/> elements. MULTI ... EXEC inside one pipeline is never interleaved with other callers.
    /// </summary>
    public Task<RedisReply[]> PipelineAsync(IReadOnlyList<IReadOnlyList<object?>> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count == 0)
        {
            return Task.FromResult(System.Array.Empty<RedisReply>());
        }

        foreach (var command in commands)
        {
            ValidateCommand(command, nameof(commands));
            CommandRules.CheckAllowed(command[0] as string, IsDedicated, inPipeline: true);
        }

        if (!IsDedicated)
        {
            CommandRules.CheckTransactionsBalanced(commands);
        }

        return SendAsync(new PipelineRequest(commands, _commandTimeoutMs), cancellationToken);
    }

    /// <summary>Runs a script by SHA1 and sends its source only when Redis answers NOSCRIPT (first use, restart, SCRIPT FLUSH).</summary>
    public async Task<RedisReply> EvalAsync(LuaScript script, IReadOnlyList<object?> keys, IReadOnlyList<object?> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            return await ExecuteAsync(EvalCommand("EVALSHA", script.Sha1Hex, keys, args), cancellationToken);
        }
        catch (RedisServerException ex) when (ex.Prefix == "NOSCRIPT")
        {
            return await ExecuteAsync(EvalCommand("EVAL", script.Source, keys, args), cancellationToken);
        }
    }

    /// <summary>Fails whatever is pending, closes the socket and stops reconnecting. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        RedisSession? session;
        Task<RedisSession>? connecting;
        lock (_gate)
        {
            session = _session;
            connecting = _connecting;
            _session = null;
        }

        await _disposing.CancelAsync();
        _onDisposed?.Invoke(this);
        session?.Fault("the connection was disposed");
        if (session is not null)
        {
            await session.Completion;
        }

        if (connecting is not null)
        {
            // Its failure (now "disposed") is reported to the commands that waited for it.
            await ((Task)connecting).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _disposing.Dispose();
    }

    internal void CountWrite(int commands)
    {
        Interlocked.Increment(ref _socketWrites);
        Interlocked.Add(ref _commandsWritten, commands);
    }

    private Task<TResult> SendAsync<TResult>(RedisRequest<TResult> request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var session = Volatile.Read(ref _session);
        if (session is { IsOpen: true })
        {
            request.Attach(session, cancellationToken);
            if (session.TryEnqueue(request))
            {
                return request.Task;
            }
        }

        return SendWhenConnectedAsync(request, cancellationToken);
    }

    private async Task<TResult> SendWhenConnectedAsync<TResult>(RedisRequest<TResult> request, CancellationToken cancellationToken)
    {
        // A session can close between being handed out and the enqueue; the command was not sent, so retry once more.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var session = await GetSessionAsync().WaitAsync(cancellationToken);
            request.Attach(session, cancellationToken);
            if (session.TryEnqueue(request))
            {
                return await request.Task;
            }
        }

        throw new RedisConnectionException($"Connection to Redis at {Endpoint} kept closing before {request.Describe()} could be sent.");
    }

    private Task<RedisSession> GetSessionAsync()
    {
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return Task.FromException<RedisSession>(Disposed());
            }

            if (_session is { IsOpen: true } session)
            {
                return Task.FromResult(session);
            }

            // One connect attempt at a time, shared by every command that arrives meanwhile.
            if (_connecting is null || _connecting.IsCompleted)
            {
                _connecting = ConnectAsync();
                // Waiters may all have given up (cancelled); observe the failure so it is not reported as unobserved.
                _connecting.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            return _connecting;
        }
    }

    private async Task<RedisSession> ConnectAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var backoff = FirstBackoff;
        try
        {
            while (true)
            {
                try
                {
                    var session = await OpenSessionAsync(Options.ConnectTimeout - Stopwatch.GetElapsedTime(started));
                    lock (_gate)
                    {
                        if (_disposed == 0)
                        {
                            _session = session;
                            return session;
                        }
                    }

                    session.Fault("the connection was disposed");
                    throw Disposed();
                }
                catch (RedisConnectionException ex) when (ex.InnerException is not RedisServerException && _disposed == 0 && Stopwatch.GetElapsedTime(started) + backoff < Options.ConnectTimeout)
                {
                    // Redis is restarting or unreachable: retry with a short, growing pause until ConnectTimeout.
                    await Task.Delay(backoff, _disposing.Token);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (_disposed != 0)
        {
            throw Disposed();
        }
    }

    private async Task<RedisSession> OpenSessionAsync(TimeSpan timeout)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RedisSession? session = null;
        var opened = false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(_host, _port, deadline.Token);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            session = new RedisSession(this, socket);
            session.Start(_timeoutCheckInterval);
            await HandshakeAsync(session, timeout, deadline.Token);
            opened = true;
            return session;
        }
        catch (OperationCanceledException) when (_disposed == 0)
        {
            throw new RedisConnectionException($"Connecting to Redis at {Endpoint} timed out after {Options.ConnectTimeout.TotalMilliseconds:0} ms.");
        }
        catch (SocketException ex)
        {
            throw new RedisConnectionException($"Could not connect to Redis at {Endpoint}: {ex.Message}", ex);
        }
        finally
        {
            if (!opened)
            {
                if (session is null)
                {
                    socket.Dispose();
                }
                else
                {
                    session.Fault("the connection handshake failed");
                }
            }
        }
    }

    // AUTH and SELECT are pipelined ahead of any caller's command, on every new socket.
    private async Task HandshakeAsync(RedisSession session, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var commands = new List<IReadOnlyList<object?>>(2);
        if (!string.IsNullOrEmpty(Options.Password))
        {
            commands.Add(string.IsNullOrEmpty(Options.Username)
                ? ["AUTH", Options.Password]
                : ["AUTH", Options.Username, Options.Password]);
        }

        if (Options.Database != 0)
        {
            commands.Add(["SELECT", Options.Database]);
        }

        if (commands.Count == 0)
        {
            return;
        }

        var request = new PipelineRequest(commands, ToMilliseconds(timeout));
        request.Attach(session, CancellationToken.None);
        if (!session.TryEnqueue(request))
        {
            throw new RedisConnectionException($"Connection to Redis at {Endpoint} closed during the handshake.");
        }

        var replies = await request.Task.WaitAsync(cancellationToken);
        for (var i = 0; i < replies.Length; i++)
        {
            if (replies[i] is RedisReply.Error error)
            {
                // Not retried: a wrong password or database stays wrong, so fail fast with Redis's reason.
                throw new RedisConnectionException(
                    $"Redis at {Endpoint} rejected {commands[i][0]} during connect: {error.Message}", new RedisServerException(error.Message));
            }
        }
    }

    private static void ValidateCommand(IReadOnlyList<object?>? commandAndArgs, string paramName)
    {
        ArgumentNullException.ThrowIfNull(commandAndArgs, paramName);
        if (commandAndArgs.Count == 0)
        {
            throw new ArgumentException("A command needs at least its name.", paramName);
        }

        RespWriter.Validate(commandAndArgs, paramName);
    }

    private static object?[] EvalCommand(string verb, string scriptOrSha, IReadOnlyList<object?> keys, IReadOnlyList<object?> args)
    {
        var command = new object?[3 + keys.Count + args.Count];
        command[0] = verb;
        command[1] = scriptOrSha;
        command[2] = keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            command[3 + i] = keys[i];
        }

        for (var i = 0; i < args.Count; i++)
        {
            command[3 + keys.Count + i] = args[i];
        }

        return command;
    }

    private static long ToMilliseconds(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? -1 : (long)Math.Ceiling(Math.Max(timeout.TotalMilliseconds, 1));

    private RedisConnectionException Disposed() => new($"The Redis connection to {Endpoint} was disposed.");
}
