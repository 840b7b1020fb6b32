using System.Text;

namespace LocalDapr.Redis;

/// <summary>What a session needs from a queued command, whatever its result type.</summary>
internal interface IRedisRequest
{
    /// <summary>Environment.TickCount64 by which the reply must have arrived; long.MaxValue when unbounded.</summary>
    long Deadline { get; }

    long TimeoutMs { get; }

    /// <summary>True once the caller stopped waiting (cancelled); the reply, if it was sent, is still read and dropped.</summary>
    bool IsAbandoned { get; }

    void Write(RespWriter writer);

    void MarkWritten(long now);

    /// <summary>Records one reply; true when the request has all the replies it waits for.</summary>
    bool Accept(RedisReply reply);

    void Complete();

    void Fail(Exception error);

    string Describe();
}

/// <summary>A queued command that is its own TaskCompletionSource, saving an allocation per command.</summary>
internal abstract class RedisRequest<TResult> : TaskCompletionSource<TResult>, IRedisRequest
{
    private CancellationTokenRegistration _cancellation;
    private bool _registered;
    private RedisSession? _session;

    protected RedisRequest(long timeoutMs)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        TimeoutMs = timeoutMs;
    }

    public long Deadline { get; private set; } = long.MaxValue;

    public long TimeoutMs { get; }

    public bool IsAbandoned => Task.IsCompleted;

    public void MarkWritten(long now) => Deadline = TimeoutMs < 0 ? long.MaxValue : now + TimeoutMs;

    /// <summary>Binds the request to the session it is queued on and to the caller's token.</summary>
    public void Attach(RedisSession session, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _session, session);
        if (!_registered && cancellationToken.CanBeCanceled)
        {
            _registered = true;
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((RedisRequest<TResult>)state!).OnCancelled(token), this);
            if (Task.IsCompleted)
            {
                _cancellation.Unregister();
            }
        }
    }

    public void Complete()
    {
        SetOutcome();
        _cancellation.Unregister();
    }

    public void Fail(Exception error)
    {
        TrySetException(error);
        _cancellation.Unregister();
    }

    public abstract void Write(RespWriter writer);

    public abstract bool Accept(RedisReply reply);

    public abstract string Describe();

    protected abstract void SetOutcome();

    private void OnCancelled(CancellationToken token)
    {
        if (TrySetCanceled(token))
        {
            Volatile.Read(ref _session)?.OnAbandoned(this);
        }
    }

    protected static string NameOf(object? part) => part switch
    {
        string s => s,
        byte[] b => Encoding.UTF8.GetString(b),
        _ => "command",
    };
}

internal sealed class CommandRequest(string? command, IReadOnlyList<object?> args, long timeoutMs)
    : RedisRequest<RedisReply>(timeoutMs)
{
    private RedisReply? _reply;

    public override void Write(RespWriter writer) => writer.WriteCommand(command, args);

    public override bool Accept(RedisReply reply)
    {
        _reply = reply;
        return true;
    }

    public override string Describe() => command ?? NameOf(args[0]);

    protected override void SetOutcome()
    {
        if (_reply is RedisReply.Error error)
        {
            TrySetException(new RedisServerException(error.Message));
        }
        else
        {
            TrySetResult(_reply!);
        }
    }
}

/// <summary>Several commands written back to back; error replies stay in the result instead of throwing.</summary>
internal sealed class PipelineRequest(IReadOnlyList<IReadOnlyList<object?>> commands, long timeoutMs)
    : RedisRequest<RedisReply[]>(timeoutMs)
{
    private readonly RedisReply[] _replies = new RedisReply[commands.Count];
    private int _received;

    public override void Write(RespWriter writer)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            writer.WriteCommand(null, commands[i]);
        }
    }

    public override bool Accept(RedisReply reply)
    {
        _replies[_received++] = reply;
        return _received == _replies.Length;
    }

    public override string Describe() => $"pipeline of {_replies.Length} commands starting with {NameOf(commands[0][0])}";

    protected override void SetOutcome() => TrySetResult(_replies);
}
