using System.Diagnostics;
using System.Net.Sockets;
using StackExchange.Redis;

namespace DaprChat.Testing;

/// <summary>
/// A real redis-server on a free loopback port, in its own temp folder, with append-only persistence
/// so a restart keeps acknowledged writes. Tests that need Redis fail (never skip) when it is missing.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    public int Port { get; }
    public string Directory { get; }
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(Path.GetTempPath(), "daprchat-redis-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(FreePort.Next(), directory);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>A StackExchange.Redis connection for looking into the server (admin commands allowed: FLUSHALL, INFO, CONFIG).</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(Address);
        options.AllowAdmin = true;
        options.Protocol = RedisProtocol.Resp2;
        options.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public static string FindExecutable()
    {
        foreach (var candidate in new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "redis-server was not found. Install Debian's redis-server (apt-get install redis-server); .ci/run does this.");
    }

    /// <summary>Stops the server abruptly-but-cleanly (SHUTDOWN via SIGTERM keeps the AOF) and starts it again on the same port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopProcessAsync();
        await StartProcessAsync(cancellationToken);
    }

    public async Task StopAsync() => await StopProcessAsync();

    /// <summary>Freezes the server (SIGSTOP) for <paramref name="duration"/>, then lets it go on (SIGCONT): a hung Redis, not a dead one.</summary>
    public async Task PauseAsync(TimeSpan duration)
    {
        var pid = (_process ?? throw new InvalidOperationException("redis-server is not running")).Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var stop = Process.Start("kill", ["-STOP", pid]))
        {
            await stop.WaitForExitAsync();
        }

        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            using var resume = Process.Start("kill", ["-CONT", pid]);
            await resume.WaitForExitAsync();
        }
    }

    /// <summary>The keys matching <paramref name="pattern"/>, read with redis-cli (it comes with Debian's redis-server), in order.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string pattern)
    {
        var cli = Path.Combine(Path.GetDirectoryName(FindExecutable())!, "redis-cli");
        var info = new ProcessStartInfo(cli, ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--raw", "KEYS", pattern])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli KEYS failed: {await process.StandardError.ReadToEndAsync()}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList();
    }

    public async Task StartAsync() => await StartProcessAsync(CancellationToken.None);

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(FindExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1",
                     "--dir", Directory,
                     "--appendonly", "yes",
                     "--appendfsync", "always",
                     "--save", "",
                     "--protected-mode", "no",
                     "--daemonize", "no",
                     "--loglevel", "warning",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Loading a large append-only file on a busy machine answers LOADING for a while: generous, not a speed goal.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}");
            }

            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within 30 s");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task StopProcessAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM: redis flushes the AOF and exits.
                using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
