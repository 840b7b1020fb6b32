using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprChat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Notify.Tests.Fakes;

/// <summary>One push FCM accepted, as it arrived.</summary>
public sealed record ReceivedPush(string Token, JsonObject Message, string RawBody, DateTimeOffset At);

/// <summary>
/// Google's OAuth2 token endpoint and FCM HTTP v1 <c>messages:send</c>, checking each request as they would: the token
/// request is a JWT-bearer grant signed by the service account's key for the firebase.messaging scope; a send has the
/// right path, a bearer token this endpoint issued, a JSON body with <c>message.token</c> and FCM's field shapes. Answers
/// per device token from a script: success, UNREGISTERED (404), INVALID_ARGUMENT (400), 429 with Retry-After, 500, 503.
/// </summary>
public sealed class FakeFcm : IAsyncDisposable
{
    public const string ProjectId = "daprchat-test";
    public const string ClientEmail = "notify@daprchat-test.iam.gserviceaccount.com";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, byte> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Answer>> _script = new(StringComparer.Ordinal);

    public enum Answer
    {
        Ok,
        Unregistered,
        InvalidToken,
        InvalidPayload,
        TooManyRequests,
        ServerError,
        Unavailable,
        Unauthorized,
    }

    public FakeFcm()
    {
        Port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, Port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _app = builder.Build();
        _app.MapPost("/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
        _app.MapPost("/v1/projects/{project}/messages:send", SendAsync);
        _app.MapFallback((HttpContext c) =>
        {
            Violations.Add($"unexpected {c.Request.Method} {c.Request.Path}");
            return Results.NotFound();
        });
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<ReceivedPush> Accepted { get; } = new();

    /// <summary>Every send attempt (accepted or not), with when it came: retries show up here.</summary>
    public ConcurrentQueue<(string Token, Answer Answer, DateTimeOffset At)> Attempts { get; } = new();

    public ConcurrentBag<string> Violations { get; } = [];

    public int TokensIssued => _issued.Count;

    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When nothing is scripted for a token: what FCM answers (set to 503 to play an outage).</summary>
    public Answer Default { get; set; } = Answer.Ok;

    public void Script(string token, params Answer[] answers) => _script[token] = new ConcurrentQueue<Answer>(answers);

    public IEnumerable<ReceivedPush> To(string token) => Accepted.Where(p => p.Token == token);

    /// <summary>The service account JSON as Google issues it, with token_uri pointing here.</summary>
    public string ServiceAccountJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = "test-key-1",
        ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "1234567890",
        ["token_uri"] = $"{BaseUrl}token",
    });

    public Task StartAsync() => _app.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            Violations.Add($"token grant_type {form["grant_type"]}");
            return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
        }

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(form["assertion"].ToString(), new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(_key),
            ValidIssuer = ClientEmail,
            // Google.Apis.Auth names Google's token endpoint as audience, as Google documents, whatever token_uri it posts to.
            ValidAudiences = [$"{BaseUrl}token", "https://oauth2.googleapis.com/token"],
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        var scope = result.IsValid && result.Claims.TryGetValue("scope", out var s) ? s as string : null;
        if (!result.IsValid || scope != "https://www.googleapis.com/auth/firebase.messaging")
        {
            Violations.Add($"token assertion invalid: {result.Exception?.Message} scope {scope}");
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        var token = "ya29." + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _issued[token] = 0;
        return Results.Json(new { access_token = token, expires_in = 3599, token_type = "Bearer" });
    }

    private async Task<IResult> SendAsync(string project, HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        if (project != ProjectId)
        {
            Violations.Add($"project {project}");
            return Error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH");
        }

        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_issued.ContainsKey(auth["Bearer ".Length..]))
        {
            Violations.Add("send without a bearer token this endpoint issued");
            return Error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR");
        }

        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            Violations.Add($"content type {context.Request.ContentType}");
        }

        using var reader = new StreamReader(context.Request.Body);
        var raw = await reader.ReadToEndAsync();
        var message = (JsonNode.Parse(raw) as JsonObject)?["message"] as JsonObject;
        var token = message?["token"]?.GetValue<string>();
        if (message is null || string.IsNullOrEmpty(token))
        {
            Violations.Add("message.token missing");
            return Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT");
        }

        CheckShape(message);
        var answer = _script.TryGetValue(token, out var queue) && queue.TryDequeue(out var next) ? next : Default;
        Attempts.Enqueue((token, answer, DateTimeOffset.UtcNow));
        switch (answer)
        {
            case Answer.Ok:
                Accepted.Enqueue(new ReceivedPush(token, message, raw, DateTimeOffset.UtcNow));
                return Results.Json(new { name = $"projects/{ProjectId}/messages/{Guid.NewGuid():N}" });
            case Answer.Unregistered:
                return Error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.");
            case Answer.InvalidToken:
                return Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", field: "message.token");
            case Answer.InvalidPayload:
                return Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid value at 'message.android.ttl'", field: "message.android.ttl");
            case Answer.TooManyRequests:
                context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED");
            case Answer.ServerError:
                return Error(500, "INTERNAL", "INTERNAL");
            case Answer.Unauthorized:
                return Error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR");
            default:
                return Error(503, "UNAVAILABLE", "UNAVAILABLE");
        }
    }

    /// <summary>The documented shapes: strings-only data, android ttl as "Ns", apns headers as strings, webpush headers.</summary>
    private void CheckShape(JsonObject message)
    {
        if (message["data"] is JsonObject data && data.Any(kv => kv.Value?.GetValueKind() != JsonValueKind.String))
        {
            Violations.Add("data values must all be strings");
        }

        var ttl = message["android"]?["ttl"]?.GetValue<string>();
        if (ttl is not null && !System.Text.RegularExpressions.Regex.IsMatch(ttl, @"^\d+(\.\d{1,9})?s$"))
        {
            Violations.Add($"android.ttl {ttl}");
        }

        if (message["apns"]?["headers"] is JsonObject apns && apns.Any(kv => kv.Value?.GetValueKind() != JsonValueKind.String))
        {
            Violations.Add("apns headers must be strings");
        }

        if (message["notification"] is JsonObject n && (n["title"]?.GetValueKind() != JsonValueKind.String || n["body"]?.GetValueKind() != JsonValueKind.String))
        {
            Violations.Add("notification title/body must be strings");
        }

        foreach (var (key, _) in message)
        {
            if (key is not ("token" or "notification" or "data" or "android" or "apns" or "webpush" or "fcm_options" or "name"))
            {
                Violations.Add($"unknown message field {key}");
            }
        }
    }

    private static IResult Error(int status, string grpcStatus, string fcmCode, string? text = null, string? field = null)
    {
        var details = new JsonArray { new JsonObject { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = fcmCode } };
        if (field is not null)
        {
            details.Add(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new JsonArray { new JsonObject { ["field"] = field, ["description"] = text } },
            });
        }

        var body = new JsonObject { ["error"] = new JsonObject { ["code"] = status, ["message"] = text ?? grpcStatus, ["status"] = grpcStatus, ["details"] = details } };
        return Results.Content(body.ToJsonString(), "application/json", statusCode: status);
    }
}
