using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprChat.Reliability;

/// <summary>
/// One side of a session behaving like services/main/wwwroot/js/chat-client.js: reconnects by itself, resumes after
/// the last seq it holds when the welcome says there is more, re-sends every unacknowledged message with the same
/// client id, and treats its own message frame as an ack. Every send, ack and message is written to the history.
/// </summary>
public sealed class ReliableClient(string sessionId, string side, Func<Uri> uri, string ticket, History history, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ClientWebSocket? _socket;
    private Task? _loop;
    private long _lastSeq;
    private int _counter;

    public string Side => side;
    public long LastSeq => Interlocked.Read(ref _lastSeq);
    public int Pending => _pending.Count;
    public int Connections { get; private set; }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Queues a new message and sends it now if connected; otherwise it goes with the next connection.</summary>
    public async Task SendNewAsync()
    {
        var clientId = $"{side[0]}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..24];
        _pending[clientId] = $"m{_counter}";
        history.Add(new Sent(sessionId, side, clientId, time.GetUtcNow()));
        await TrySendAsync(clientId);
    }

    /// <summary>Drops the current connection from the client's side (the client will reconnect, as after a network blip).</summary>
    public void Drop() => _socket?.Abort();

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol("daprchat.v1");
            socket.Options.AddSubProtocol("daprchat.ticket." + ticket);
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(5);
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                connect.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(uri(), connect.Token);
                _socket = socket;
                Connections++;
                backoff = TimeSpan.FromMilliseconds(100);
                await ReadAsync(socket);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or JsonException)
            {
            }
            finally
            {
                _socket = null;
            }

            if (_stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(100)), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 2000));
        }
    }

    private async Task ReadAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var resend = new PeriodicTimer(TimeSpan.FromSeconds(3));
        var resender = ResendLoopAsync(resend);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await OnFrameAsync(JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject());
            }
        }
        finally
        {
            resend.Dispose();
            await resender;
        }
    }

    // Retryable errors (unavailable, rate_limited) name no guarantee: what is still pending goes again, same client ids.
    private async Task ResendLoopAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                await ResendPendingAsync();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task OnFrameAsync(JsonObject frame)
    {
        var now = time.GetUtcNow();
        switch ((string?)frame["type"])
        {
            case "welcome":
                if ((long?)frame["lastSeq"] > LastSeq)
                {
                    await SendFrameAsync(new { v = 1, type = "resume", afterSeq = LastSeq });
                }

                await ResendPendingAsync();
                break;
            case "message":
                var seq = (long)frame["seq"]!;
                var clientId = (string?)frame["clientId"] ?? "";
                history.Add(new Received(sessionId, side, clientId, seq, now));
                InterlockedMax(ref _lastSeq, seq);
                if (_pending.TryRemove(clientId, out _))
                {
                    history.Add(new Acked(sessionId, side, clientId, seq, false, now));
                }

                break;
            case "ack":
                var acked = (string)frame["clientId"]!;
                _pending.TryRemove(acked, out _);
                history.Add(new Acked(sessionId, side, acked, (long)frame["seq"]!, (bool?)frame["duplicate"] ?? false, now));
                break;
            case "error" when (bool?)frame["retryable"] != true && (string?)frame["code"] != "rate_limited" && frame["clientId"] is not null:
                // A refusal for content the harness never sends: keep it visible by never treating it as acked.
                history.Add(new Refused(sessionId, side, (string)frame["clientId"]!, (string?)frame["code"] ?? "", now));
                break;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private async Task ResendPendingAsync()
    {
        foreach (var clientId in _pending.Keys)
        {
            await TrySendAsync(clientId);
        }
    }

    private async Task TrySendAsync(string clientId)
    {
        if (_pending.TryGetValue(clientId, out var content))
        {
            await SendFrameAsync(new { v = 1, type = "send", clientId, content });
        }
    }

    private async Task SendFrameAsync(object frame)
    {
        var socket = _socket;
        if (socket is not { State: WebSocketState.Open })
        {
            return;
        }

        await _sendLock.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame), WebSocketMessageType.Text, true, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket?.Abort();
        if (_loop is not null)
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
        _sendLock.Dispose();
    }
}
