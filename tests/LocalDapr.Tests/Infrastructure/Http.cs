using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace LocalDapr.Tests.Infrastructure;

public static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string url, string json) =>
        http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty JSON body");

    /// <summary>Asserts a daprd error reply: status, JSON content type, and errorCode.</summary>
    public static async Task<JsonNode> ShouldBeDaprErrorAsync(this HttpResponseMessage response, int status, string errorCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {errorCode}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(errorCode, json["errorCode"]?.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["message"]?.GetValue<string>()));
        return json;
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("condition not met in time" + (because is null ? "" : ": " + because));
    }

    public static Task EventuallyAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null) =>
        EventuallyAsync(() => Task.FromResult(condition()), timeout, because);

    public static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public static JsonContent AsJson<T>(T value) => JsonContent.Create(value);
}
