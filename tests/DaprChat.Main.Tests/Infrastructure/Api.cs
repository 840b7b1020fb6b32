using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace DaprChat.Main.Tests.Infrastructure;

public sealed record User(string Id, string Email, string Password, string Role, string AccessToken, string RefreshToken);

/// <summary>main's HTTP API as a client uses it, with the steps tests repeat (sign-up, invite and accept, sign-in).</summary>
public sealed class Api(HttpClient http)
{
    public const string Password = "correct horse battery staple";

    public HttpClient Http => http;

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token = null, object? body = null)
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

        return await http.SendAsync(request);
    }

    public async Task<JsonNode> JsonAsync(HttpMethod method, string url, string? token = null, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await SendAsync(method, url, token, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public static string UniqueEmail(string who) => $"{who}-{Guid.NewGuid():N}@daprchat.test";

    public async Task<User> LoginAsync(string email, string password)
    {
        var tokens = await JsonAsync(HttpMethod.Post, "/api/auth/login", body: new { email, password });
        return new User(tokens["accountId"]!.GetValue<string>(), email, password, tokens["role"]!.GetValue<string>(),
            tokens["accessToken"]!.GetValue<string>(), tokens["refreshToken"]!.GetValue<string>());
    }

    public async Task<User> StudentAsync(string who = "student")
    {
        var email = UniqueEmail(who);
        await JsonAsync(HttpMethod.Post, "/api/auth/register", body: new { email, password = Password, displayName = who }, expected: HttpStatusCode.Created);
        return await LoginAsync(email, Password);
    }

    public async Task<User> AdminAsync()
    {
        // The bootstrap admin is created in the background at start-up; wait for it.
        for (var attempt = 0; ; attempt++)
        {
            using var response = await SendAsync(HttpMethod.Post, "/api/auth/login", body: new { email = MainFixture.AdminEmail, password = MainFixture.AdminPassword });
            if (response.IsSuccessStatusCode || attempt > 100)
            {
                return await LoginAsync(MainFixture.AdminEmail, MainFixture.AdminPassword);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A counsellor or volunteer: invited by the admin, password set with the code, signed in, and (by default) available.</summary>
    public async Task<User> StaffAsync(User admin, string role = "counselor", int maxActiveChats = 3, bool available = true, string? displayName = null)
    {
        var email = UniqueEmail(role);
        var invited = await JsonAsync(HttpMethod.Post, "/api/admin/accounts", admin.AccessToken,
            new { email, displayName = displayName ?? $"{role} {email[..12]}", role, maxActiveChats }, HttpStatusCode.Created);
        await JsonAsync(HttpMethod.Post, "/api/auth/accept-invite", body: new { code = invited["inviteCode"]!.GetValue<string>(), password = Password });
        var user = await LoginAsync(email, Password);
        if (available)
        {
            await JsonAsync(HttpMethod.Put, "/api/dashboard/status", user.AccessToken, new { status = "available" });
        }

        return user;
    }

    public async Task<JsonNode> RequestChatAsync(User student, User book, HttpStatusCode expected = HttpStatusCode.Created) =>
        await JsonAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = book.Id }, expected);

    /// <summary>The problem details' stable code, after checking the status and the RFC 7807 media type.</summary>
    public async Task<string> ProblemCodeAsync(HttpMethod method, string url, string? token, object? body, HttpStatusCode expected)
    {
        using var response = await SendAsync(method, url, token, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!["code"]!.GetValue<string>();
    }
}
