using System.Diagnostics;
using System.Net;
using System.Text;
using DaprChat.Testing;
using LocalDapr.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>
/// The built apps as Kubernetes runs them (Production, an APP_API_TOKEN from the app-token Secret), tried from outside:
/// every sidecar-only route answers 401 without the token, and an app without one refuses to start.
/// </summary>
public sealed partial class OutsideCallerTests
{
    private static readonly string[] AppIds = ["main", "chat", "notify", "summarize"];

    public static TheoryData<string> Apps => new(AppIds);

    private static Process StartApp(string appId, string? appApiToken)
    {
        var dir = Path.Combine(Repository.Root, "services", appId);
        var dll = Path.Combine(dir, "bin", Repository.Configuration, "net10.0", $"DaprChat.{char.ToUpperInvariant(appId[0])}{appId[1..]}.dll");
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // The app picks its own free port and says which (a port chosen here could be taken before the app binds it).
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment.Remove("APP_PORT");
        // No sidecar: the apps only wait for it, which is all this test needs of them.
        info.Environment["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:1";
        info.Environment["DAPR_GRPC_ENDPOINT"] = "http://127.0.0.1:1";
        info.Environment["CHAT_SERVICE_URL"] = "wss://chat.example.org";
        info.Environment["Chat__AllowedOrigins__0"] = "https://daprchat.example.org";
        info.Environment.Remove("APP_API_TOKEN");
        if (appApiToken is not null)
        {
            info.Environment["APP_API_TOKEN"] = appApiToken;
        }

        return Process.Start(info)!;
    }

    /// <summary>One sidecar-only route, called from outside as a stranger would (a CloudEvent body for the writes).</summary>
    internal static async Task<HttpStatusCode> CallAsync(HttpClient http, int port, SidecarOnlyRoutes.Route route, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), $"http://127.0.0.1:{port}{route.Path}");
        if (route.Method is "POST" or "PUT")
        {
            request.Content = new StringContent("""{"specversion":"1.0","id":"x","source":"outside","type":"t","data":{"sessionId":"any-session","endedBy":"x","reason":"ended","endedAt":"2026-12-02T00:00:00Z"}}""",
                Encoding.UTF8, "application/cloudevents+json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Under_the_Kubernetes_settings_every_sidecar_only_route_of_the_app_refuses_an_outside_caller_with_401(string appId)
    {
        using var app = StartApp(appId, appApiToken: Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Record(string? line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }

            if (line is not null && ListeningOn().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        app.OutputDataReceived += (_, e) => Record(e.Data);
        app.ErrorDataReceived += (_, e) => Record(e.Data);
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var started = await Task.WhenAny(listening.Task, app.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
            Assert.True(started == listening.Task, $"{appId} did not start listening:\n{output}");
            var port = await listening.Task;
            await HttpExtensions.EventuallyAsync(async () => await IsUpAsync(http, port), TimeSpan.FromSeconds(30), $"{appId} answers /healthz");

            foreach (var route in SidecarOnlyRoutes.ByApp[appId])
            {
                Assert.True(await CallAsync(http, port, route) == HttpStatusCode.Unauthorized, $"{route.Method} {route.Path} without a token");
                // The hole an outside caller found: claiming to be main through the header daprd sets.
                Assert.True(await CallAsync(http, port, route, ("dapr-caller-app-id", "main"), ("dapr-api-token", "guess")) == HttpStatusCode.Unauthorized,
                    $"{route.Method} {route.Path} with a forged caller and a wrong token");
            }
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Outside_development_the_app_refuses_to_start_without_an_app_token_and_says_why(string appId)
    {
        using var app = StartApp(appId, appApiToken: null);
        var errors = app.StandardError.ReadToEndAsync();
        var output = app.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, app.ExitCode);
        Assert.Contains("APP_API_TOKEN is not set", await errors + await output, StringComparison.Ordinal);
    }

    private static async Task<bool> IsUpAsync(HttpClient http, int port)
    {
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningOn();
}
