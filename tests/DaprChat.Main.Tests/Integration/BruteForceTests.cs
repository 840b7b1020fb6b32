using System.Net;
using System.Text.Json.Nodes;
using DaprChat.Main.Tests.Infrastructure;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

[Collection(MainCollection.Name)]
public sealed class BruteForceTests(MainFixture fixture)
{
    private readonly Api _api = new(fixture.Http);

    private async Task<(HttpStatusCode Status, string Body)> LoginAsync(string email, string password)
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/api/auth/login", body: new { email, password });
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string WithoutTraceId(string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        json.Remove("traceId");
        return json.ToJsonString();
    }

    [Fact]
    public async Task A_scripted_guessing_run_locks_the_account_after_five_failures_for_five_minutes_even_for_the_right_password()
    {
        var student = await _api.StudentAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(student.Email, $"guess-{i}-wrong")).Status);
        }

        using (var locked = await _api.SendAsync(HttpMethod.Post, "/api/auth/login", body: new { email = student.Email, password = Api.Password }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.Contains("login_locked", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(4));
        }

        fixture.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(student.Email, Api.Password)).Status);
        fixture.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(student.Email, Api.Password)).Status);
    }

    [Fact]
    public async Task A_wrong_email_gets_the_same_answer_costs_the_same_hash_and_locks_the_same_as_a_wrong_password()
    {
        var student = await _api.StudentAsync();
        var hasher = fixture.Main.Hasher!;

        var before = hasher.Verifications;
        var wrongPassword = await LoginAsync(student.Email, "not the password");
        var afterWrongPassword = hasher.Verifications;
        var wrongUser = await LoginAsync(Api.UniqueEmail("nobody"), "not the password");
        var afterWrongUser = hasher.Verifications;

        Assert.Equal(wrongPassword.Status, wrongUser.Status);
        Assert.Equal(WithoutTraceId(wrongPassword.Body), WithoutTraceId(wrongUser.Body));
        Assert.Equal(1, afterWrongPassword - before);
        Assert.Equal(1, afterWrongUser - afterWrongPassword);

        var ghost = Api.UniqueEmail("ghost");
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(ghost, "guess");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(ghost, "guess")).Status);
    }

    [Fact]
    public async Task A_client_that_keeps_trying_is_rate_limited_across_accounts()
    {
        using var limited = fixture.StartExtraMain(new Dictionary<string, string?> { ["Accounts:LoginRatePermits"] = "3", ["Accounts:LoginRateWindow"] = "00:10:00" });
        var api = new Api(limited);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Post, "/api/auth/login", body: new { email = Api.UniqueEmail($"spray{i}"), password = "guess" });
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("rate_limited", await api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/login", null, new { email = "a@b.c", password = "x" }, HttpStatusCode.TooManyRequests));
    }
}
