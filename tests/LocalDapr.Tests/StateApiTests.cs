using System.Net;
using System.Text.Json.Nodes;
using StackExchange.Redis;
using LocalDapr.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Tests;

/// <summary>The state API answers as daprd 1.16 does, on the in-memory and the Redis store.</summary>
public sealed class StateApiTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private async Task<(Runtime Runtime, string Url)> StartAsync(Profile profile)
    {
        var runtime = await Runtime.StartAsync(profile, profile == Profile.Redis ? redis.Server : null);
        var sidecar = await runtime.AddSidecarAsync("main", appPort: null);
        return (runtime, sidecar.HttpEndpoint + "/v1.0/state/chatstore");
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_saved_value_is_read_back_as_saved_with_an_etag(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;

        var save = await runtime.Http.PostJsonAsync(url, """[{"key":"k1","value":{"text":"hi","n":1}},{"key":"s","value":"plain"}]""");
        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);

        var get = await runtime.Http.GetAsync(url + "/k1");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/json", get.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"text":"hi","n":1}"""), await get.JsonAsync()));
        Assert.False(string.IsNullOrEmpty(get.Headers.GetValues("ETag").Single()));
        // A JSON string is stored with its quotes.
        Assert.Equal("\"plain\"", await (await runtime.Http.GetAsync(url + "/s")).Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_missing_key_answers_204_with_no_body_and_no_etag(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;

        var get = await runtime.Http.GetAsync(url + "/nothing-here");

        Assert.Equal(HttpStatusCode.NoContent, get.StatusCode);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync());
        Assert.False(get.Headers.Contains("ETag"));
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_stale_etag_on_save_and_delete_is_a_409_conflict(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;
        await runtime.Http.PostJsonAsync(url, """[{"key":"k","value":1}]""");
        var etag = (await runtime.Http.GetAsync(url + "/k")).Headers.GetValues("ETag").Single();
        await runtime.Http.PostJsonAsync(url, $$"""[{"key":"k","value":2,"etag":"{{etag}}"}]""");

        var staleSave = await runtime.Http.PostJsonAsync(url, $$"""[{"key":"k","value":3,"etag":"{{etag}}"}]""");
        using var delete = new HttpRequestMessage(HttpMethod.Delete, url + "/k");
        delete.Headers.TryAddWithoutValidation("If-Match", etag); // daprd ETags are unquoted
        var staleDelete = await runtime.Http.SendAsync(delete);

        var saveError = await staleSave.ShouldBeDaprErrorAsync(409, "ERR_STATE_SAVE");
        Assert.Contains("possible etag mismatch", saveError["message"]!.GetValue<string>());
        await staleDelete.ShouldBeDaprErrorAsync(409, "ERR_STATE_DELETE");
        Assert.Equal("2", await (await runtime.Http.GetAsync(url + "/k")).Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_transaction_with_a_stale_etag_is_a_500_and_applies_nothing(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;
        await runtime.Http.PostJsonAsync(url, """[{"key":"a","value":"old"},{"key":"b","value":"old"}]""");
        var etag = (await runtime.Http.GetAsync(url + "/b")).Headers.GetValues("ETag").Single();
        await runtime.Http.PostJsonAsync(url, """[{"key":"b","value":"newer"}]""");

        var response = await runtime.Http.PostJsonAsync(url + "/transaction", $$$"""
            {"operations":[
              {"operation":"upsert","request":{"key":"a","value":"new"}},
              {"operation":"delete","request":{"key":"b","etag":"{{{etag}}}"}}]}
            """);

        await response.ShouldBeDaprErrorAsync(500, "ERR_STATE_TRANSACTION");
        Assert.Equal("\"old\"", await (await runtime.Http.GetAsync(url + "/a")).Content.ReadAsStringAsync());
        Assert.Equal("\"newer\"", await (await runtime.Http.GetAsync(url + "/b")).Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_transaction_applies_upserts_and_deletes_together(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;
        await runtime.Http.PostJsonAsync(url, """[{"key":"gone","value":1}]""");

        var response = await runtime.Http.PostJsonAsync(url + "/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"x","value":{"v":1}}},{"operation":"delete","request":{"key":"gone"}}]}
            """);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await runtime.Http.GetAsync(url + "/x")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(url + "/gone")).StatusCode);
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task An_unknown_operation_in_a_transaction_is_refused_with_400(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;

        var response = await runtime.Http.PostJsonAsync(url + "/transaction", """{"operations":[{"operation":"merge","request":{"key":"x"}}]}""");

        await response.ShouldBeDaprErrorAsync(400, "ERR_NOT_SUPPORTED_STATE_OPERATION");
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task Bulk_get_answers_data_and_etag_per_key_and_only_the_key_when_missing(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;
        await runtime.Http.PostJsonAsync(url, """[{"key":"one","value":{"n":1}}]""");

        var response = await runtime.Http.PostJsonAsync(url + "/bulk", """{"keys":["one","two"],"parallelism":2}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.JsonAsync()).AsArray();
        Assert.Equal("one", items[0]!["key"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"n":1}"""), items[0]!["data"]));
        Assert.NotNull(items[0]!["etag"]);
        Assert.Null(items[0]!["value"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"key":"two"}"""), items[1]));
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task First_write_concurrency_refuses_a_second_write_without_the_etag(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;
        var first = await runtime.Http.PostJsonAsync(url, """[{"key":"fw","value":1,"options":{"concurrency":"first-write"}}]""");

        var second = await runtime.Http.PostJsonAsync(url, """[{"key":"fw","value":2,"options":{"concurrency":"first-write"}}]""");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        await second.ShouldBeDaprErrorAsync(409, "ERR_STATE_SAVE");
    }

    [Fact]
    public async Task A_non_numeric_etag_on_redis_is_a_400_invalid_etag()
    {
        var (runtime, url) = await StartAsync(Profile.Redis);
        await using var _ = runtime;

        var response = await runtime.Http.PostJsonAsync(url, """[{"key":"k","value":1,"etag":"not-a-number"}]""");

        await response.ShouldBeDaprErrorAsync(400, "ERR_STATE_SAVE");
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task Bad_requests_get_daprs_errors(Profile profile)
    {
        var (runtime, url) = await StartAsync(profile);
        await using var _ = runtime;
        var root = url[..url.LastIndexOf('/')];

        await (await runtime.Http.GetAsync(root + "/nosuchstore/k")).ShouldBeDaprErrorAsync(400, "ERR_STATE_STORE_NOT_FOUND");
        var notFound = await (await runtime.Http.PostJsonAsync(root + "/nosuchstore", "[]")).ShouldBeDaprErrorAsync(400, "ERR_STATE_STORE_NOT_FOUND");
        Assert.Equal("DAPR_STATE_NOT_FOUND", notFound["details"]![0]!["reason"]!.GetValue<string>());
        await (await runtime.Http.PostJsonAsync(url, "{not json")).ShouldBeDaprErrorAsync(400, "ERR_MALFORMED_REQUEST");
        await (await runtime.Http.PostJsonAsync(url, """[{"value":1}]""")).ShouldBeDaprErrorAsync(400, "ERR_MALFORMED_REQUEST");
        await (await runtime.Http.PostJsonAsync(url, """[{"key":"a||b","value":1}]""")).ShouldBeDaprErrorAsync(400, "ERR_MALFORMED_REQUEST");
        await (await runtime.Http.PostJsonAsync(url, """[{"key":"k","value":1,"metadata":{"ttlInSeconds":60}}]""")).ShouldBeDaprErrorAsync(400, "ERR_MALFORMED_REQUEST");
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.PostJsonAsync(url, "[]")).StatusCode);
    }

    [Fact]
    public async Task An_expiring_in_memory_value_reports_its_expiry_and_is_gone_after_it()
    {
        var (runtime, url) = await StartAsync(Profile.Memory);
        await using var _ = runtime;
        await runtime.Http.PostJsonAsync(url, """[{"key":"t","value":1,"metadata":{"ttlInSeconds":"1"}}]""");

        var get = await runtime.Http.GetAsync(url + "/t");
        Assert.True(get.Headers.TryGetValues("metadata.ttlExpireTime", out var expiry));
        Assert.True(DateTimeOffset.Parse(expiry!.Single(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);

        await HttpExtensions.EventuallyAsync(async () => (await runtime.Http.GetAsync(url + "/t")).StatusCode == HttpStatusCode.NoContent, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_expiring_redis_value_is_removed_from_redis_itself_and_a_new_ttl_restarts_the_clock()
    {
        var (runtime, url) = await StartAsync(Profile.Redis);
        await using var _ = runtime;
        await using var connection = await redis.Server.ConnectAsync();
        var client = connection.GetDatabase();
        await runtime.Http.PostJsonAsync(url, """[{"key":"t","value":1,"metadata":{"ttlInSeconds":"2"}},{"key":"keep","value":1}]""");
        Assert.Equal(1, (long)await client.ExecuteAsync("EXISTS", "main||t"));
        Assert.InRange((long)await client.ExecuteAsync("TTL", "main||t"), 1, 2);
        Assert.Equal(-1, (long)await client.ExecuteAsync("TTL", "main||keep"));

        // Sliding expiry: writing again with a TTL restarts it.
        await Task.Delay(1200);
        await runtime.Http.PostJsonAsync(url + "?metadata.ttlInSeconds=2", """[{"key":"t","value":2}]""");
        Assert.Equal(2, (long)await client.ExecuteAsync("TTL", "main||t"));

        // state.redis reports no ttlExpireTime.
        Assert.False((await runtime.Http.GetAsync(url + "/t")).Headers.Contains("metadata.ttlExpireTime"));
        await HttpExtensions.EventuallyAsync(async () => (long)await client.ExecuteAsync("EXISTS", "main||t") == 0, TimeSpan.FromSeconds(6), "the key should expire in Redis");
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(url + "/t")).StatusCode);

        // -1 means never expire: PERSIST.
        await runtime.Http.PostJsonAsync(url, """[{"key":"p","value":1,"metadata":{"ttlInSeconds":"5"}}]""");
        await runtime.Http.PostJsonAsync(url, """[{"key":"p","value":1,"metadata":{"ttlInSeconds":"-1"}}]""");
        Assert.Equal(-1, (long)await client.ExecuteAsync("TTL", "main||p"));
    }

    [Fact]
    public async Task Redis_keeps_values_in_contribs_layout_with_the_app_id_prefix()
    {
        var (runtime, url) = await StartAsync(Profile.Redis);
        await using var _ = runtime;
        await using var connection = await redis.Server.ConnectAsync();
        var client = connection.GetDatabase();
        await runtime.Http.PostJsonAsync(url, """[{"key":"order","value":{"a":1}}]""");
        await runtime.Http.PostJsonAsync(url, """[{"key":"order","value":{"a":2}}]""");

        var hash = ((RedisResult[])(await client.ExecuteAsync("HGETALL", "main||order"))!).Select(r => (string?)r).ToList();

        Assert.Equal("{\"a\":2}", hash[hash.IndexOf("data") + 1]);
        Assert.Equal("2", hash[hash.IndexOf("version") + 1]);
        // daprd sends the version unquoted: ETag: 2
        Assert.Equal("2", (await runtime.Http.GetAsync(url + "/order")).Headers.GetValues("ETag").Single());
    }

    [Fact]
    public async Task Key_prefix_name_shares_keys_between_app_ids()
    {
        var runtime = await Runtime.StartAsync(Profile.Memory);
        await using var _ = runtime;
        var main = await runtime.AddSidecarAsync("main", null);
        var notify = await runtime.AddSidecarAsync("notify", null);

        await runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0/state/userstore", """[{"key":"u1","value":"shared"}]""");
        await runtime.Http.PostJsonAsync(main.HttpEndpoint + "/v1.0/state/chatstore", """[{"key":"c1","value":"private"}]""");

        Assert.Equal(HttpStatusCode.OK, (await runtime.Http.GetAsync(notify.HttpEndpoint + "/v1.0/state/userstore/u1")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(notify.HttpEndpoint + "/v1.0/state/chatstore/c1")).StatusCode);
    }

    [Fact]
    public async Task An_explicit_last_write_on_redis_ignores_a_stale_etag()
    {
        var (runtime, url) = await StartAsync(Profile.Redis);
        await using var _ = runtime;
        await runtime.Http.PostJsonAsync(url, """[{"key":"lw","value":1}]""");
        await runtime.Http.PostJsonAsync(url, """[{"key":"lw","value":2}]""");

        var response = await runtime.Http.PostJsonAsync(url, """[{"key":"lw","value":3,"etag":"1","options":{"concurrency":"last-write"}}]""");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("3", await (await runtime.Http.GetAsync(url + "/lw")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Acknowledged_writes_survive_a_redis_restart_and_the_sidecar_reconnects_by_itself()
    {
        var (runtime, url) = await StartAsync(Profile.Redis);
        await using var _ = runtime;
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.PostJsonAsync(url, $$"""[{"key":"r{{i}}","value":{{i}}}]""")).StatusCode);
        }

        await redis.Server.RestartAsync();

        // The first call after the restart may find the old socket dead; the client reconnects, the next ones succeed.
        await HttpExtensions.EventuallyAsync(async () => (await runtime.Http.GetAsync(url + "/r0")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), await (await runtime.Http.GetAsync(url + $"/r{i}")).Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.PostJsonAsync(url, """[{"key":"after","value":1}]""")).StatusCode);
    }
}
