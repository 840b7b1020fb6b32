using System.Net.Sockets;

namespace LocalDapr.Hosting;

/// <summary>The sidecar's HTTP connection to its app, adding the APP_API_TOKEN header as daprd does.</summary>
public sealed class AppChannel : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _appApiToken;

    public AppChannel(string host, int port, string? appApiToken)
    {
        Host = host;
        Port = port;
        _appApiToken = appApiToken;
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
            UseCookies = false,
        })
        {
            BaseAddress = new Uri($"http://{host}:{port}"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public string Host { get; }
    public int Port { get; }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, bool withToken = true)
    {
        request.Headers.Remove("dapr-api-token");
        if (withToken && _appApiToken is { Length: > 0 })
        {
            request.Headers.TryAddWithoutValidation("dapr-api-token", _appApiToken);
        }

        return _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    /// <summary>daprd waits for the app's port to accept connections before it asks for config and subscriptions.</summary>
    public async Task<bool> IsListeningAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(Host, Port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // Hop-by-hop and framing headers are the transport's business, not the app's.
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "proxy-connection", "te", "trailer", "dapr-api-token",
    };

    public static void CopyHeaders(IEnumerable<KeyValuePair<string, string[]>> headers, HttpRequestMessage request)
    {
        foreach (var (name, values) in headers)
        {
            if (Skipped.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values) && request.Content is not null)
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
