using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DaprChat.Chat.Testing;
using Xunit;

namespace DaprChat.Notify.Tests.Integration;

public sealed record User(string Id, string Role, string AccessToken);

/// <summary>main's API as the clients use it: accounts, chat requests, joining, devices.</summary>
public sealed class Api(HttpClient http)
{
    private const string Password = "correct horse battery staple";

    public async Task<JsonNode> JsonAsync(HttpMethod method, string url, string? token = null, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    private async Task<User> LoginAsync(string email)
    {
        var tokens = await JsonAsync(HttpMethod.Post, "/api/auth/login", body: new { email, password = Password });
        return new User(tokens["accountId"]!.GetValue<string>(), tokens["role"]!.GetValue<string>(), tokens["accessToken"]!.GetValue<string>());
    }

    private static string Email(string who) => $"{who}-{Guid.NewGuid():N}@daprchat.test";

    public async Task<User> StudentAsync()
    {
        var email = Email("student");
        await JsonAsync(HttpMethod.Post, "/api/auth/register", body: new { email, password = Password, displayName = "student" }, expected: HttpStatusCode.Created);
        return await LoginAsync(email);
    }

    public async Task<User> CounselorAsync()
    {
        var admin = await AdminAsync();
        var email = Email("counselor");
        var invited = await JsonAsync(HttpMethod.Post, "/api/admin/accounts", admin.AccessToken,
            new { email, displayName = "Dr Canary Name", role = "counselor", maxActiveChats = 6 }, HttpStatusCode.Created);
        await JsonAsync(HttpMethod.Post, "/api/auth/accept-invite", body: new { code = invited["inviteCode"]!.GetValue<string>(), password = Password });
        var user = await LoginAsync(email);
        await JsonAsync(HttpMethod.Put, "/api/dashboard/status", user.AccessToken, new { status = "available" });
        return user;
    }

    private async Task<User> AdminAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.PostAsJsonAsync("/api/auth/login", new { email = NotifyWorld.AdminEmail, password = NotifyWorld.AdminPassword });
            if (response.IsSuccessStatusCode || attempt > 200)
            {
                var tokens = await response.Content.ReadFromJsonAsync<JsonNode>();
                return new User(tokens!["accountId"]!.GetValue<string>(), "admin", tokens["accessToken"]!.GetValue<string>());
            }

            await Task.Delay(100);
        }
    }

    public Task<JsonNode> RegisterDeviceAsync(User user, string token) =>
        JsonAsync(HttpMethod.Post, "/api/devices", user.AccessToken, new { token, platform = "android" }, HttpStatusCode.Created);

    public async Task<int> DeviceCountAsync(User user) => (await JsonAsync(HttpMethod.Get, "/api/devices", user.AccessToken)).AsArray().Count;

    /// <summary>The student asks; returns the session id and the student's ticket.</summary>
    public async Task<(string SessionId, string Ticket)> RequestChatAsync(User student, User counselor)
    {
        var created = await JsonAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = counselor.Id }, HttpStatusCode.Created);
        return (created["session"]!["id"]!.GetValue<string>(), created["ticket"]!["ticket"]!.GetValue<string>());
    }

    public async Task<string> JoinAsync(User counselor, string sessionId) =>
        (await JsonAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/join", counselor.AccessToken))["ticket"]!.GetValue<string>();
}

/// <summary>A protocol-v1 chat client: ticket in the subprotocol, frames read into a queue.</summary>
public sealed class ChatSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonObject> _frames = Channel.CreateUnbounded<JsonObject>();
    private Task _reader = Task.CompletedTask;

    public static async Task<ChatSocket> ConnectAsync(int chatPort, string sessionId, string ticket)
    {
        var socket = new ChatSocket();
        socket._socket.Options.AddSubProtocol("daprchat.v1");
        socket._socket.Options.AddSubProtocol("daprchat.ticket." + ticket);
        socket._socket.Options.SetRequestHeader("Origin", ChatWorld.AllowedOrigin);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{chatPort}/session/{sessionId}"), timeout.Token);
        socket._reader = socket.ReadAsync();
        return socket;
    }

    public Task SendMessageAsync(string content) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = 1, type = "send", clientId = Guid.NewGuid().ToString("N"), content })),
            WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Waits for the next message frame with this content (others are skipped).</summary>
    public async Task<JsonObject> MessageAsync(string content, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(cts.Token);
            if (frame["type"]?.GetValue<string>() == "message" && frame["content"]?.GetValue<string>() == content)
            {
                return frame;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
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
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                _frames.Writer.TryWrite(JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}

public sealed record StreamEvent(long Id, string Kind, JsonObject Data);

/// <summary>The desk's live stream as a browser's fetch reads it: bearer token in the header, Server-Sent Events in the body.</summary>
public sealed class DeskStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<StreamEvent> _events = Channel.CreateUnbounded<StreamEvent>();
    private readonly Task _reader;

    private DeskStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = ReadAsync();
    }

    public static async Task<HttpResponseMessage> OpenRawAsync(HttpClient notify, string? token, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/notifications/stream");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return await notify.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static async Task<DeskStream> OpenAsync(HttpClient notify, User counselor, long? lastEventId = null)
    {
        var response = await OpenRawAsync(notify, counselor.AccessToken, lastEventId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new DeskStream(response);
    }

    /// <summary>The next event of <paramref name="kind"/> for <paramref name="sessionId"/>, skipping others.</summary>
    public async Task<StreamEvent> NextAsync(string kind, string sessionId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token);
                if (e.Kind == kind && e.Data["sessionId"]?.GetValue<string>() == sessionId)
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {kind} for {sessionId} on the stream");
        }
    }

    /// <summary>Everything received so far, without waiting.</summary>
    public List<StreamEvent> Drain()
    {
        var list = new List<StreamEvent>();
        while (_events.Reader.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            long id = 0;
            string? kind = null;
            string? data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (kind is not null && data is not null)
                    {
                        _events.Writer.TryWrite(new StreamEvent(id, kind, JsonNode.Parse(data)!.AsObject()));
                    }

                    (kind, data) = (null, null);
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    kind = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}
