using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprChat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprChat.Summarize.Tests;

/// <summary>
/// Vertex AI's <c>generateContent</c> and Google's OAuth token endpoint on loopback. Every request is checked as Google
/// checks it (path with project, location and model; bearer token issued here; body with contents, systemInstruction
/// and generationConfig.responseSchema); a request that fails a check gets Google's 400/401, and the reason is kept.
/// The next answers are queued by the test: 200 with a text, 429 with Retry-After, 500, or a malformed body.
/// </summary>
public sealed class FakeVertex : IAsyncDisposable
{
    public const string Project = "test-project";
    public const string Location = "europe-west4";
    public const string Model = "gemini-2.5-flash";
    private const string Token = "ya29.fake-access-token";
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> answers = new();

    private FakeVertex(WebApplication app) => this.app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Bodies of every generateContent request that passed the checks, in order.</summary>
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    public ConcurrentQueue<string> Rejections { get; } = new();

    private int tokenRequests;

    public int TokenRequests => Volatile.Read(ref tokenRequests);

    /// <summary>A service account JSON (fresh RSA key) whose token_uri points at this fake.</summary>
    public string ServiceAccountJson { get; private set; } = "";

    public static async Task<FakeVertex> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var fake = new FakeVertex(builder.Build());
        fake.BaseUri = new Uri($"http://127.0.0.1:{port}/");
        using var rsa = RSA.Create(2048);
        fake.ServiceAccountJson = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = Project,
            ["private_key_id"] = "key-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "summarize@test-project.iam.gserviceaccount.com",
            ["client_id"] = "1",
            ["token_uri"] = $"{fake.BaseUri}token",
        }.ToJsonString();
        fake.app.MapPost("/token", fake.TokenAsync);
        fake.app.MapPost("/v1/projects/{project}/locations/{location}/publishers/google/models/{modelAndMethod}", fake.GenerateAsync);
        await fake.app.StartAsync();
        return fake;
    }

    public void Answer(Func<HttpContext, Task> answer) => answers.Enqueue(answer);

    public void AnswerText(string text) => Answer(context => context.Response.WriteAsJsonAsync(new
    {
        candidates = new[] { new { content = new { role = "model", parts = new[] { new { text } } }, finishReason = "STOP" } },
        modelVersion = Model,
    }));

    public void AnswerStatus(int status, string? retryAfter = null) => Answer(async context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsJsonAsync(new { error = new { code = status, message = "fake error", status = status == 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL" } });
    });

    public void AnswerMalformed() => Answer(context => context.Response.WriteAsync("{\"candidates\": [ {\"content\": "));

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || string.IsNullOrEmpty(form["assertion"]) || form["assertion"].ToString().Split('.').Length != 3)
        {
            Rejections.Enqueue("token request without a signed JWT assertion");
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_grant" });
            return;
        }

        Interlocked.Increment(ref tokenRequests);
        await context.Response.WriteAsJsonAsync(new { access_token = Token, token_type = "Bearer", expires_in = 3600 });
    }

    private async Task GenerateAsync(HttpContext context, string project, string location, string modelAndMethod)
    {
        var problem = project != Project ? "unknown project"
            : location != Location ? "unknown location"
            : modelAndMethod != Model + ":generateContent" ? "unknown model or method"
            : context.Request.Headers.Authorization != "Bearer " + Token ? "bad bearer token"
            : null;
        JsonObject? body = null;
        if (problem is null)
        {
            try
            {
                body = (await JsonNode.ParseAsync(context.Request.Body))?.AsObject();
            }
            catch (JsonException)
            {
            }

            problem = CheckBody(body);
        }

        if (problem is not null)
        {
            Rejections.Enqueue(problem);
            context.Response.StatusCode = problem == "bad bearer token" ? 401 : problem.StartsWith("unknown", StringComparison.Ordinal) ? 404 : 400;
            await context.Response.WriteAsJsonAsync(new { error = new { code = context.Response.StatusCode, message = problem } });
            return;
        }

        Requests.Enqueue(body!);
        if (answers.TryDequeue(out var answer))
        {
            await answer(context);
        }
        else
        {
            context.Response.StatusCode = 500;
        }
    }

    private static string? CheckBody(JsonObject? body)
    {
        if (body?["contents"] is not JsonArray { Count: > 0 } contents
            || contents.Any(c => c?["role"]?.GetValue<string>() is not ("user" or "model") || c["parts"] is not JsonArray { Count: > 0 }))
        {
            return "contents missing or malformed";
        }

        if (body["systemInstruction"]?["parts"] is not JsonArray { Count: > 0 })
        {
            return "systemInstruction missing";
        }

        var config = body["generationConfig"];
        if (config?["responseMimeType"]?.GetValue<string>() != "application/json")
        {
            return "responseMimeType is not application/json";
        }

        // Vertex AI's Schema: upper-case OpenAPI types, no JSON Schema keywords such as $schema or additionalProperties.
        return config["responseSchema"] is JsonObject schema && ValidSchema(schema) ? null : "responseSchema is not a Vertex AI schema";
    }

    private static bool ValidSchema(JsonObject schema)
    {
        string[] allowed = ["type", "properties", "items", "required", "description", "enum", "nullable", "format"];
        if (schema.Any(p => !allowed.Contains(p.Key)) || schema["type"]?.GetValue<string>() is not ("OBJECT" or "ARRAY" or "STRING" or "INTEGER" or "NUMBER" or "BOOLEAN"))
        {
            return false;
        }

        return (schema["properties"] as JsonObject)?.All(p => p.Value is JsonObject child && ValidSchema(child)) != false
            && (schema["items"] is null || (schema["items"] is JsonObject items && ValidSchema(items)));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
