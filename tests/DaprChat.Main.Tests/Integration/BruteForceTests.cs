using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DaprChat.Main.Accounts;
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
    public async Task A_client_that_keeps_trying_is_rate_limited_across_accounts_with_a_typed_problem()
    {
        using var limited = fixture.StartExtraMain(new Dictionary<string, string?> { ["Accounts:SignInPermitsPerAddress"] = "3", ["Accounts:AddressWindow"] = "00:10:00" });
        var api = new Api(limited);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Post, "/api/auth/login", body: new { email = Api.UniqueEmail($"spray{i}"), password = "guess" });
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        using var refused = await api.SendAsync(HttpMethod.Post, "/api/auth/register", body: new { email = Api.UniqueEmail("late"), password = Api.Password, displayName = "late" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal("rate_limited", problem["code"]!.GetValue<string>());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem["type"]!.GetValue<string>());
        Assert.Equal(429, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Thirty_students_behind_one_address_each_sign_in_within_a_minute_while_a_guesser_on_one_account_stays_locked_out()
    {
        // Default budgets on this replica: only the lockout and the NAT-sized address budget apply.
        var defaults = new AccountOptions();
        using var campus = fixture.StartExtraMain(new Dictionary<string, string?>
        {
            ["Accounts:SignInPermitsPerAddress"] = defaults.SignInPermitsPerAddress.ToString(CultureInfo.InvariantCulture),
            ["Accounts:RefreshPermitsPerAddress"] = defaults.RefreshPermitsPerAddress.ToString(CultureInfo.InvariantCulture),
        });
        var api = new Api(campus);
        var students = new List<User>();
        for (var i = 0; i < 30; i++)
        {
            students.Add(await _api.StudentAsync($"campus{i}"));
        }

        var victim = await _api.StudentAsync("victim");
        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using (var guess = await api.SendAsync(HttpMethod.Post, "/api/auth/login", body: new { email = victim.Email, password = $"guess-{i}" }))
            {
                guesses.Add(guess.StatusCode);
            }

            if (i < students.Count)
            {
                await api.LoginAsync(students[i].Email, Api.Password);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), guesses.Take(5));
        Assert.All(guesses.Skip(5), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        Assert.Equal("login_locked", await api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/login", null, new { email = victim.Email, password = Api.Password }, HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Refreshing_tokens_does_not_use_up_the_sign_in_budget()
    {
        var student = await _api.StudentAsync();
        using var limited = fixture.StartExtraMain(new Dictionary<string, string?> { ["Accounts:SignInPermitsPerAddress"] = "2", ["Accounts:AddressWindow"] = "00:10:00" });
        var api = new Api(limited);

        var signedIn = await api.LoginAsync(student.Email, Api.Password);
        var refreshToken = signedIn.RefreshToken;
        for (var i = 0; i < 10; i++)
        {
            var refreshed = await api.JsonAsync(HttpMethod.Post, "/api/auth/refresh", body: new { refreshToken });
            refreshToken = refreshed["refreshToken"]!.GetValue<string>();
        }

        await api.LoginAsync(student.Email, Api.Password);
        Assert.Equal("rate_limited", await api.ProblemCodeAsync(HttpMethod.Post, "/api/auth/login", null, new { email = student.Email, password = Api.Password }, HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Retry_after_counts_down_to_the_end_of_the_window_and_the_address_may_try_again_then()
    {
        var student = await _api.StudentAsync();
        using var limited = fixture.StartExtraMain(new Dictionary<string, string?> { ["Accounts:SignInPermitsPerAddress"] = "1", ["Accounts:AddressWindow"] = "00:01:00" });
        var api = new Api(limited);
        await api.LoginAsync(student.Email, Api.Password);

        async Task<TimeSpan?> RetryAfterAsync()
        {
            using var refused = await api.SendAsync(HttpMethod.Post, "/api/auth/login", body: new { email = student.Email, password = Api.Password });
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            return refused.Headers.RetryAfter?.Delta;
        }

        Assert.Equal(TimeSpan.FromSeconds(60), await RetryAfterAsync());
        fixture.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(40), await RetryAfterAsync());
        fixture.Time.Advance(TimeSpan.FromSeconds(39));
        Assert.Equal(TimeSpan.FromSeconds(1), await RetryAfterAsync());
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        await api.LoginAsync(student.Email, Api.Password);
    }
}
