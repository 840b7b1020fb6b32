using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace DaprChat.Bench.Chat;

/// <summary>
/// A WebSocket client that timestamps every frame the moment it is read and completes a waiter registered for the
/// frame's (type, clientId). Waiters are registered before the send, so a fast answer is never missed.
/// </summary>
public sealed class BenchSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<(string Type, string ClientId), TaskCompletionSource<long>> _waiters = new();
    private readonly Task _reader;

    private BenchSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Opens a socket; with a ticket, as the web client does (protocol v1 plus the ticket as a subprotocol).</summary>
    public static async Task<BenchSocket> ConnectAsync(Uri uri, string? ticket)
    {
        var socket = new ClientWebSocket();
        if (ticket is not null)
        {
            socket.Options.AddSubProtocol("daprchat.v1");
            socket.Options.AddSubProtocol("daprchat.ticket." + ticket);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, timeout.Token);
        return new BenchSocket(socket);
    }

    /// <summary>A waiter for the next frame of <paramref name="type"/> naming <paramref name="clientId"/>; yields its arrival timestamp.</summary>
    public Task<long> Expect(string type, string clientId) =>
        _waiters.GetOrAdd((type, clientId), _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public Task SendAsync(byte[] frame) => _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Abort();
        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                var arrived = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var (type, clientId) = Identify(buffer.AsSpan(0, length));
                if (type is not null && clientId is not null && _waiters.TryRemove((type, clientId), out var waiter))
                {
                    waiter.TrySetResult(arrived);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            foreach (var waiter in _waiters.Values)
            {
                waiter.TrySetException(new InvalidOperationException($"the socket closed ({_socket.CloseStatus} {_socket.CloseStatusDescription})"));
            }
        }
    }

    /// <summary>The top-level <c>type</c> and <c>clientId</c> of a frame, read without building a DOM.</summary>
    private static (string? Type, string? ClientId) Identify(ReadOnlySpan<byte> frame)
    {
        string? type = null;
        string? clientId = null;
        var reader = new Utf8JsonReader(frame);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            var isClientId = reader.ValueTextEquals("clientId"u8);
            reader.Read();
            if (isType || isClientId)
            {
                var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                (type, clientId) = isType ? (value, clientId) : (type, value);
            }
            else
            {
                reader.Skip();
            }
        }

        return (type, clientId);
    }

    /// <summary>A protocol-v1 send frame, the same bytes for the chat app and the raw relay.</summary>
    public static byte[] SendFrame(string clientId, string content) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = 1, type = "send", clientId, content }));
}
