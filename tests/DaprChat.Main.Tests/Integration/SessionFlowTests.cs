using System.Net;
using System.Text.Json.Nodes;
using DaprChat.Contracts;
using DaprChat.Dapr;
using DaprChat.Main.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

[Collection(MainCollection.Name)]
public sealed class SessionFlowTests(MainFixture fixture)
{
    private readonly Api _api = new(fixture.Http);

    private async Task<ChatSessionSnapshot?> ActorAsync(string sessionId) =>
        await fixture.ChatDapr.InvokeActorMethodAsync<ChatSessionSnapshot?>(DaprNames.ActorTypes.ChatSession, sessionId, ChatSessionMethods.Get);

    /// <summary>The JWKS as chat gets it: main's route, invoked by app id through chat's own sidecar.</summary>
    private async Task<JsonWebKeySet> JwksThroughDaprAsync()
    {
        using var request = fixture.ChatDapr.CreateInvokeMethodRequest(HttpMethod.Get, DaprNames.Apps.Main, ".well-known/jwks.json");
        using var response = await fixture.ChatDapr.InvokeMethodWithResponseAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new JsonWebKeySet(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Requesting_a_chat_opens_the_ChatSession_actor_in_chat_and_returns_a_ticket_that_verifies_with_the_published_keys()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin, displayName: "Dr Rowan");
        var student = await _api.StudentAsync();

        var created = await _api.RequestChatAsync(student, counselor);

        var sessionId = created["session"]!["id"]!.GetValue<string>();
        var pseudonym = created["session"]!["pseudonym"]!.GetValue<string>();
        var chatUrl = created["ticket"]!["chatUrl"]!.GetValue<string>();
        Assert.Equal($"ws://chat.test:5081/session/{sessionId}", chatUrl);
        Assert.StartsWith("anon_", pseudonym, StringComparison.Ordinal);
        Assert.Equal("pending", created["session"]!["status"]!.GetValue<string>());

        var actor = await ActorAsync(sessionId);
        Assert.NotNull(actor);
        Assert.Equal(ChatSessionStates.Open, actor.State);
        Assert.Equal(pseudonym, actor.StudentPseudonym);
        Assert.Equal(counselor.Id, actor.CounselorId);
        Assert.Equal([pseudonym, counselor.Id], actor.Participants.Select(p => p.Id));
        Assert.DoesNotContain(actor.Participants, p => p.Id == student.Id || p.DisplayName == "student");

        var ticket = created["ticket"]!["ticket"]!.GetValue<string>();
        var keys = await JwksThroughDaprAsync();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(ticket, new TokenValidationParameters
        {
            ValidIssuer = ChatTickets.Issuer,
            ValidAudience = ChatTickets.Audience,
            ValidAlgorithms = [ChatTickets.Algorithm],
            IssuerSigningKeys = keys.GetSigningKeys(),
            ClockSkew = TimeSpan.FromSeconds(10),
            // main's clock is the test's; the ticket's lifetime is checked against it.
            LifetimeValidator = (nbf, exp, _, _) => exp > fixture.Time.GetUtcNow().UtcDateTime,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(sessionId, jwt.GetClaim(ChatTickets.Claims.SessionId).Value);
        Assert.Equal(chatUrl.Split('/').Last(), jwt.GetClaim(ChatTickets.Claims.SessionId).Value);
        Assert.Equal(pseudonym, jwt.Subject);
        Assert.Equal(Roles.Student, jwt.GetClaim(ChatTickets.Claims.Role).Value);
        Assert.Equal([ChatTickets.Permissions.SendMessage, ChatTickets.Permissions.ViewHistory],
            jwt.Claims.Where(c => c.Type == ChatTickets.Claims.Permissions).Select(c => c.Value));
        Assert.True(jwt.ValidTo <= actor.ExpiresAt.UtcDateTime);
    }

    [Fact]
    public async Task The_counsellor_joins_with_a_ticket_of_their_own_for_the_same_session_and_the_request_becomes_active()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin);
        var student = await _api.StudentAsync();
        var sessionId = (await _api.RequestChatAsync(student, counselor))["session"]!["id"]!.GetValue<string>();

        var dashboard = await _api.JsonAsync(HttpMethod.Get, "/api/dashboard/sessions", counselor.AccessToken);
        var listed = Assert.Single(dashboard.AsArray());
        Assert.Equal(sessionId, listed!["id"]!.GetValue<string>());
        Assert.StartsWith("anon_", listed["studentPseudonym"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(student.Id, dashboard.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(student.Email, dashboard.ToJsonString(), StringComparison.Ordinal);

        var joined = await _api.JsonAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/join", counselor.AccessToken);
        var jwt = new JsonWebToken(joined["ticket"]!.GetValue<string>());
        Assert.Equal(counselor.Id, jwt.Subject);
        Assert.Equal(sessionId, jwt.GetClaim(ChatTickets.Claims.SessionId).Value);
        Assert.Equal(Roles.Counselor, jwt.GetClaim(ChatTickets.Claims.Role).Value);
        Assert.Equal(ChatTickets.Audience, jwt.Audiences.Single());

        var seen = await _api.JsonAsync(HttpMethod.Get, $"/api/sessions/{sessionId}", student.AccessToken);
        Assert.Equal("active", seen["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unanswered_request_times_out_closes_the_room_and_offers_the_student_other_available_books()
    {
        var admin = await _api.AdminAsync();
        var silent = await _api.StaffAsync(admin);
        var other = await _api.StaffAsync(admin, role: "volunteer");
        var student = await _api.StudentAsync();
        var sessionId = (await _api.RequestChatAsync(student, silent))["session"]!["id"]!.GetValue<string>();

        fixture.Time.Advance(MainFixture.RequestTimeout + TimeSpan.FromSeconds(1));

        var seen = await _api.JsonAsync(HttpMethod.Get, $"/api/sessions/{sessionId}", student.AccessToken);
        Assert.Equal("timed_out", seen["status"]!.GetValue<string>());
        Assert.Equal("system", seen["closedBy"]!.GetValue<string>());
        var alternatives = seen["alternatives"]!.AsArray().Select(b => b!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(other.Id, alternatives);
        Assert.DoesNotContain(silent.Id, alternatives);
        Assert.Equal(ChatSessionStates.Ended, (await ActorAsync(sessionId))!.State);
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, "/api/dashboard/sessions", silent.AccessToken)).AsArray());
        Assert.Equal("session_closed", await _api.ProblemCodeAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/join", silent.AccessToken, null, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task A_student_who_ends_a_session_frees_the_counsellors_slot_and_the_room_is_ended_in_chat()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin, maxActiveChats: 1);
        var student = await _api.StudentAsync();
        var second = await _api.StudentAsync();
        var sessionId = (await _api.RequestChatAsync(student, counselor))["session"]!["id"]!.GetValue<string>();
        Assert.Equal("book_at_capacity", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/sessions", second.AccessToken, new { bookId = counselor.Id }, HttpStatusCode.Conflict));
        var book = await _api.JsonAsync(HttpMethod.Get, $"/api/directory/books/{counselor.Id}", second.AccessToken);
        Assert.Equal(1, book["activeChats"]!.GetValue<int>());
        Assert.False(book["acceptingRequests"]!.GetValue<bool>());

        var ended = await _api.JsonAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/end", student.AccessToken);

        Assert.Equal("ended", ended["status"]!.GetValue<string>());
        Assert.Equal(ChatSessionStates.Ended, (await ActorAsync(sessionId))!.State);
        await _api.RequestChatAsync(second, counselor);
        Assert.Equal("session_closed", await _api.ProblemCodeAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/ticket", student.AccessToken, null, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task A_student_withdraws_a_request_before_anyone_joins_and_the_counsellor_can_no_longer_see_or_join_it()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin);
        var student = await _api.StudentAsync();
        var created = await _api.RequestChatAsync(student, counselor);
        var sessionId = created["session"]!["id"]!.GetValue<string>();
        Assert.Single((await _api.JsonAsync(HttpMethod.Get, "/api/dashboard/sessions", counselor.AccessToken)).AsArray());

        var withdrawn = await _api.JsonAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/end", student.AccessToken);

        Assert.Equal("ended", withdrawn["status"]!.GetValue<string>());
        Assert.Equal(created["session"]!["pseudonym"]!.GetValue<string>(), withdrawn["closedBy"]!.GetValue<string>());
        Assert.Null(withdrawn["joinedAt"]);
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, "/api/dashboard/sessions", counselor.AccessToken)).AsArray());
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, "/api/sessions", student.AccessToken)).AsArray());
        Assert.Equal("session_closed", await _api.ProblemCodeAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/join", counselor.AccessToken, null, HttpStatusCode.Conflict));
        Assert.Equal(ChatSessionStates.Ended, (await ActorAsync(sessionId))!.State);
        // Withdrawing twice (a retried tap) answers the same.
        Assert.Equal("ended", (await _api.JsonAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/end", student.AccessToken))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_student_sees_that_the_counsellor_ended_the_chat()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin);
        var student = await _api.StudentAsync();
        var sessionId = (await _api.RequestChatAsync(student, counselor))["session"]!["id"]!.GetValue<string>();
        await _api.JsonAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/join", counselor.AccessToken);

        await _api.JsonAsync(HttpMethod.Post, $"/api/dashboard/sessions/{sessionId}/end", counselor.AccessToken);

        var seen = await _api.JsonAsync(HttpMethod.Get, $"/api/sessions/{sessionId}", student.AccessToken);
        Assert.Equal("ended", seen["status"]!.GetValue<string>());
        Assert.Equal(counselor.Id, seen["closedBy"]!.GetValue<string>());
        Assert.Equal(seen["counselor"]!["id"]!.GetValue<string>(), seen["closedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_room_ended_on_chats_side_is_recorded_by_main_through_the_session_ended_event()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin);
        var student = await _api.StudentAsync();
        var sessionId = (await _api.RequestChatAsync(student, counselor))["session"]!["id"]!.GetValue<string>();

        await fixture.ChatDapr.InvokeActorMethodAsync<EndChatSessionRequest, ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, sessionId,
            ChatSessionMethods.End, new EndChatSessionRequest(counselor.Id, "left"));

        for (var i = 0; i < 100; i++)
        {
            var seen = await _api.JsonAsync(HttpMethod.Get, $"/api/sessions/{sessionId}", student.AccessToken);
            if (seen["status"]!.GetValue<string>() == "ended")
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("main never recorded the end published by chat");
    }

    [Fact]
    public async Task Opening_the_same_session_twice_returns_the_session_as_it_was_and_other_participants_are_refused()
    {
        var request = new OpenChatSessionRequest("s-" + Guid.NewGuid().ToString("N"), new ChatParticipant("anon_x", Roles.Student, "Calm Fox"),
            new ChatParticipant("c1", Roles.Counselor, "Dr C"), DateTimeOffset.UtcNow.AddHours(1));

        var first = await fixture.ChatDapr.InvokeActorMethodAsync<OpenChatSessionRequest, ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, request.SessionId, ChatSessionMethods.Open, request);
        var again = await fixture.ChatDapr.InvokeActorMethodAsync<OpenChatSessionRequest, ChatSessionSnapshot>(DaprNames.ActorTypes.ChatSession, request.SessionId, ChatSessionMethods.Open, request);

        Assert.Equal(first.OpenedAt, again.OpenedAt);
        await Assert.ThrowsAsync<DaprApiException>(() => fixture.ChatDapr.InvokeActorMethodAsync<OpenChatSessionRequest, ChatSessionSnapshot>(
            DaprNames.ActorTypes.ChatSession, request.SessionId, ChatSessionMethods.Open, request with { Counselor = new ChatParticipant("c2", Roles.Counselor, "Dr D") }));
    }

    [Fact]
    public async Task Requests_are_refused_with_clear_codes_for_an_unknown_an_unavailable_or_a_non_counselling_book_and_over_the_students_limit()
    {
        var admin = await _api.AdminAsync();
        var away = await _api.StaffAsync(admin, available: false);
        var counselor = await _api.StaffAsync(admin, maxActiveChats: 20);
        var student = await _api.StudentAsync();
        var otherStudent = await _api.StudentAsync();

        Assert.Equal("book_not_found", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = "nobody" }, HttpStatusCode.NotFound));
        Assert.Equal("book_not_found", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = otherStudent.Id }, HttpStatusCode.NotFound));
        Assert.Equal("book_not_found", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = admin.Id }, HttpStatusCode.NotFound));
        Assert.Equal("book_unavailable", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = away.Id }, HttpStatusCode.Conflict));
        for (var i = 0; i < 6; i++)
        {
            await _api.RequestChatAsync(student, counselor);
        }

        Assert.Equal("student_chat_limit", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = counselor.Id }, HttpStatusCode.Conflict));
        Assert.Equal(6, (await _api.JsonAsync(HttpMethod.Get, "/api/sessions", student.AccessToken)).AsArray().Count);
    }

    [Fact]
    public async Task An_admin_blocks_a_student_by_pseudonym_without_learning_who_it_is_and_the_student_cannot_start_chats()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin);
        var student = await _api.StudentAsync();
        var pseudonym = (await _api.RequestChatAsync(student, counselor))["session"]!["pseudonym"]!.GetValue<string>();

        using var blocked = await _api.SendAsync(HttpMethod.Post, "/api/admin/blocks", admin.AccessToken, new { pseudonym });
        Assert.Equal(HttpStatusCode.NoContent, blocked.StatusCode);
        Assert.Empty(await blocked.Content.ReadAsStringAsync());

        Assert.Equal("student_blocked", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/sessions", student.AccessToken, new { bookId = counselor.Id }, HttpStatusCode.Forbidden));
        Assert.Equal("pseudonym_not_found", await _api.ProblemCodeAsync(HttpMethod.Post, "/api/admin/blocks", admin.AccessToken, new { pseudonym = "anon_unknown" }, HttpStatusCode.NotFound));
        using var unblocked = await _api.SendAsync(HttpMethod.Delete, $"/api/admin/blocks/{pseudonym}", admin.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, unblocked.StatusCode);
        await _api.RequestChatAsync(student, counselor);
    }

    [Fact]
    public async Task The_directory_shows_load_and_availability_to_students_without_emails()
    {
        var admin = await _api.AdminAsync();
        var counselor = await _api.StaffAsync(admin, maxActiveChats: 2, displayName: "Sam the Listener");
        await _api.JsonAsync(HttpMethod.Put, "/api/dashboard/profile", counselor.AccessToken, new { bio = "Exams and stress", topics = new[] { "exams" }, languages = new[] { "en", "fr" } });
        var student = await _api.StudentAsync();
        await _api.RequestChatAsync(student, counselor);

        var books = await _api.JsonAsync(HttpMethod.Get, "/api/directory/books?available=true", student.AccessToken);

        var book = books.AsArray().Single(b => b!["id"]!.GetValue<string>() == counselor.Id)!;
        Assert.Equal("Sam the Listener", book["displayName"]!.GetValue<string>());
        Assert.Equal(1, book["activeChats"]!.GetValue<int>());
        Assert.Equal(2, book["maxActiveChats"]!.GetValue<int>());
        Assert.Equal(["en", "fr"], book["languages"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.DoesNotContain("@", books.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("email", books.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_public_endpoint()
    {
        var document = await _api.JsonAsync(HttpMethod.Get, "/openapi/v1.json");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();

        foreach (var path in new[]
                 {
                     "/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/auth/accept-invite", "/api/auth/me",
                     "/api/directory/books", "/api/directory/books/{bookId}", "/api/sessions", "/api/sessions/{sessionId}", "/api/sessions/{sessionId}/ticket",
                     "/api/sessions/{sessionId}/end", "/api/dashboard/sessions", "/api/dashboard/sessions/{sessionId}/join", "/api/dashboard/sessions/{sessionId}/decline",
                     "/api/dashboard/sessions/{sessionId}/end", "/api/dashboard/sessions/{sessionId}/summary", "/api/dashboard/profile", "/api/dashboard/status",
                     "/api/admin/accounts", "/api/admin/accounts/{accountId}", "/api/admin/blocks", "/api/admin/blocks/{pseudonym}",
                     "/api/devices", "/api/devices/{deviceId}", "/.well-known/jwks.json", "/api/status", "/api/client-config",
                 })
        {
            Assert.Contains(path, paths);
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_problem_responses_and_the_bearer_scheme_for_signed_in_routes()
    {
        var document = await _api.JsonAsync(HttpMethod.Get, "/openapi/v1.json");
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());

        JsonNode Operation(string path, string verb) => document["paths"]![path]![verb]!;
        IEnumerable<string> Responses(JsonNode operation) => operation["responses"]!.AsObject().Select(r => r.Key);
        bool IsProblem(JsonNode operation, string status) =>
            operation["responses"]![status]!["content"]!.AsObject().Any(c => c.Key == "application/problem+json");

        var request = Operation("/api/sessions", "post");
        Assert.Superset(new HashSet<string> { "201", "400", "401", "403", "404", "409", "413", "503" }, Responses(request).ToHashSet());
        Assert.All(new[] { "400", "401", "403", "404", "409", "503" }, status => Assert.True(IsProblem(request, status), status));
        Assert.Contains(request["security"]!.AsArray(), requirement => requirement!.AsObject().ContainsKey("Bearer"));

        var login = Operation("/api/auth/login", "post");
        Assert.Superset(new HashSet<string> { "200", "400", "401", "413", "429" }, Responses(login).ToHashSet());
        Assert.Null(login["security"]);

        var join = Operation("/api/dashboard/sessions/{sessionId}/join", "post");
        Assert.Superset(new HashSet<string> { "200", "401", "403", "404", "409" }, Responses(join).ToHashSet());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"bookId\":null}")]
    public async Task A_chat_request_without_a_book_is_400_naming_the_field_not_a_missing_book(string body)
    {
        var student = await _api.StudentAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", student.AccessToken);
        using var response = await fixture.Http.SendAsync(request);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", problem["code"]!.GetValue<string>());
        Assert.Contains("bookId", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("DaprChat", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, "/api/sessions", student.AccessToken)).AsArray());
    }

    [Fact]
    public async Task The_status_api_shows_each_apps_health_to_anyone_but_errors_and_timings_only_to_admins()
    {
        var anonymous = await _api.JsonAsync(HttpMethod.Get, "/api/status");
        var student = await _api.StudentAsync();
        var asStudent = await _api.JsonAsync(HttpMethod.Get, "/api/status", student.AccessToken);
        var asAdmin = await _api.JsonAsync(HttpMethod.Get, "/api/status", (await _api.AdminAsync()).AccessToken);

        // This world runs main and chat only, so notify and summarize are unreachable: the case where details exist.
        foreach (var view in new[] { anonymous, asStudent })
        {
            Assert.False(view["healthy"]!.GetValue<bool>());
            Assert.All(view["apps"]!.AsArray(), app => Assert.Equal(["appId", "healthy"], app!.AsObject().Select(p => p.Key)));
        }

        var notify = asAdmin["apps"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == "notify")!;
        Assert.False(notify["healthy"]!.GetValue<bool>());
        Assert.NotNull(notify["elapsedMs"]);
        Assert.True(notify["error"] is not null || notify["statusCode"] is not null, notify.ToJsonString());
    }
}
