using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DaprChat.Main.Tests.Infrastructure;
using Xunit;

namespace DaprChat.Main.Tests.Integration;

[Collection(MainCollection.Name)]
public sealed class BadInputTests(MainFixture fixture)
{
    private readonly Api _api = new(fixture.Http);

    private async Task<(HttpStatusCode Status, JsonNode Problem, string? MediaType)> PostRawAsync(string url, string body, string contentType = "application/json", string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/auth/login", "{\"email\":")]
    [InlineData("/api/auth/login", "not json at all")]
    [InlineData("/api/auth/register", "{\"email\": 42, \"password\": []}")]
    [InlineData("/api/auth/refresh", "[[[[")]
    public async Task Malformed_json_is_answered_400_invalid_request_as_problem_details(string url, string body)
    {
        var (status, problem, mediaType) = await PostRawAsync(url, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Equal("invalid_request", problem["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_json_from_a_signed_in_student_requesting_a_chat_is_refused_and_creates_no_session()
    {
        var student = await _api.StudentAsync();

        var (status, problem, _) = await PostRawAsync("/api/sessions", "{\"bookId\": ", token: student.AccessToken);
        var sessions = await _api.JsonAsync(HttpMethod.Get, "/api/sessions", student.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request", problem["code"]?.GetValue<string>());
        Assert.Empty(sessions.AsArray());
    }

    [Fact]
    public async Task A_body_over_64_KB_is_refused_413_payload_too_large()
    {
        var huge = $"{{\"email\":\"{new string('a', 70 * 1024)}@x.test\",\"password\":\"p\"}}";

        var (status, problem, _) = await PostRawAsync("/api/auth/login", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("payload_too_large", problem["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_415()
    {
        var (status, problem, _) = await PostRawAsync("/api/auth/login", "email=a&password=b", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("unsupported_media_type", problem["code"]?.GetValue<string>());
    }
}
