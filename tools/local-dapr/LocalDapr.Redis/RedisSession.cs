using System.Net.Sockets;
using System.Threading.Channels;

namespace LocalDapr.Redis;

/// <summary>
/// One TCP connection: a writer loop that coalesces queued commands into one socket write, a reader loop that
/// hands replies to commands in FIFO order, and a timer that recycles the connection when a reply is overdue.
/// A session is never reused after it fails; <see cref="RedisConnection"/> opens a new one.
/// </summary>
internal sealed class RedisSession : IDisposable
{
    private const int MaxBatchBytes = 64 * 1024;

    private readonly RedisConnection _owner;
    private readonly Socket _socket;
    private readonly Channel<IRedisRequest> _outbox = Channel.CreateUnbounded<IRedisRequest>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Queue<IRedisRequest> _inFlight = new(); // written, awaiting replies; guarded by lock(_inFlight)
    private Timer? _timer;
    private volatile bool _closed;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;

    public RedisSession(RedisConnection owner, Socket socket)
    {
        _owner = owner;
        _socket = socket;
    }

    public bool IsOpen => !_closed;

    /// <summary>Completes when both loops have exited; never faults.</summary>
    public Task Completion => Task.WhenAll(_reader, _writer);

    public void Start(TimeSpan timeoutCheckInterval)
    {
        // The loops outlive the command that opened the session: do not capture that caller's ExecutionContext.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = new Timer(static state => ((RedisSession)state!).CheckTimeouts(), this, Timeout.Infinite, Timeout.Infinite);
            _reader = Task.Run(ReadLoopAsync);
            _writer = Task.Run(WriteLoopAsync);
            _timer.Change(timeoutCheckInterval, timeoutCheckInterval);
        }
    }

    /// <summary>False when the session is closed; the request was then not queued and may be retried elsewhere.</summary>
    public bool TryEnqueue(IRedisRequest request) => !_closed && _outbox.Writer.TryWrite(request);

    /// <summary>Called when a caller cancels: a dedicated connection may be parked in a blocking read, so recycle it.</summary>
    public void OnAbandoned(IRedisRequest request)
    {
        if (_owner.IsDedicated)
        {
            Fault($"{request.Describe()} was cancelled, so the dedicated connection was recycled");
        }
    }

    public void Dispose() => Fault("the session was disposed");

    /// <summary>Closes the session and fails every command queued or in flight on it. Idempotent.</summary>
    public void Fault(string reason, Exception? cause = null, IRedisRequest? timedOut = null)
    {
        List<IRedisRequest> victims;
        lock (_inFlight)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            victims = [.. _inFlight];
            _inFlight.Clear();
        }

        _outbox.Writer.TryComplete();
        while (_outbox.Reader.TryRead(out var queued))
        {
            victims.Add(queued);
        }

        _timer?.Dispose();
        _socket.Dispose();
        foreach (var victim in victims)
        {
            var message = victim == timedOut
                ? $"Redis command {victim.Describe()} timed out after {victim.TimeoutMs} ms on {_owner.Endpoint}; the connection was recycled so its late reply cannot reach another command."
                : $"Connection to Redis at {_owner.Endpoint} closed ({reason}); {victim.Describe()} may or may not have run.";
            victim.Fail(new RedisConnectionException(message, cause));
        }
    }

    private async Task WriteLoopAsync()
    {
        using var writer = new RespWriter();
        try
        {
            var outbox = _outbox.Reader;
            while (await outbox.WaitToReadAsync())
            {
                var commands = 0;
                while (writer.Length < MaxBatchBytes && outbox.TryRead(out var request))
                {
                    if (request.IsAbandoned)
                    {
                        continue; // cancelled before it was sent: never send it
                    }

                    var mark = writer.Length;
                    try
                    {
                        request.Write(writer);
                    }
                    catch (Exception ex)
                    {
                        // Arguments are validated up front; this only catches e.g. a caller mutating its list meanwhile.
                        writer.Truncate(mark);
                        request.Fail(ex);
                        continue;
                    }

                    // Queue for its reply before the bytes leave, so the reader always finds it.
                    lock (_inFlight)
                    {
                        if (_closed)
                        {
                            request.Fail(new RedisConnectionException($"Connection to Redis at {_owner.Endpoint} closed before {request.Describe()} was sent."));
                            return;
                        }

                        request.MarkWritten(Environment.TickCount64);
                        _inFlight.Enqueue(request);
                    }

                    commands++;
                }

                if (writer.Length > 0)
                {
                    _owner.CountWrite(commands); // counted before sending, so it is visible once a reply is
                    for (var sent = writer.Written; !sent.IsEmpty;)
                    {
                        sent = sent[await _socket.SendAsync(sent, SocketFlags.None)..];
                    }

                    writer.Reset();
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever stops a loop must close the session, or its commands would wait for ever.
            Fault(ex.Message, ex);
        }
    }

    private async Task ReadLoopAsync()
    {
        using var reader = new RespReader();
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(reader.GetReadBuffer(), SocketFlags.None);
                if (read == 0)
                {
                    Fault("the server closed the connection");
                    return;
                }

                reader.Advance(read);
                while (reader.TryRead(out var reply))
                {
                    if (!Deliver(reply))
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // Socket errors, disposal by Fault, and protocol errors all end the session the same way.
            Fault(ex.Message, ex);
        }
    }

    private bool Deliver(RedisReply reply)
    {
        IRedisRequest? head;
        lock (_inFlight)
        {
            if (_closed)
            {
                return false;
            }

            if (_inFlight.TryPeek(out head))
            {
                if (!head.Accept(reply))
                {
                    return true; // a pipeline still waiting for more replies
                }

                _inFlight.Dequeue();
            }
        }

        if (head is null)
        {
            Fault($"received a reply no command was waiting for: {reply}");
            return false;
        }

        head.Complete();
        return true;
    }

    private void CheckTimeouts()
    {
        IRedisRequest? overdue = null;
        var now = Environment.TickCount64;
        lock (_inFlight)
        {
            if (_closed)
            {
                return;
            }

            foreach (var request in _inFlight)
            {
                if (request.Deadline <= now)
                {
                    overdue = request;
                    break;
                }
            }
        }

        if (overdue is not null)
        {
            Fault($"{overdue.Describe()} timed out", timedOut: overdue);
        }
    }
}
