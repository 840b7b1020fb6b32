using System.Net;
using DaprChat.Dapr.Tests.Support;

namespace DaprChat.Dapr.Tests;

public sealed class DaprClientStateTests
{
    private sealed record Session(string Name, int Count);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_state_reads_the_key_from_daprds_url_with_the_api_token_and_go_style_escaping()
    {
        var sidecar = new FakeSidecar { Responder = _ => FakeSidecar.Json(HttpStatusCode.OK, """{"name":"a","count":2}""", ("ETag", "7")) };
        var client = sidecar.CreateClient(apiToken: "sekret");

        var (value, etag) = await client.GetStateAndETagAsync<Session>("chatstore", "session:abc def?x", cancellationToken: Ct);

        var request = sidecar.Single();
        Assert.Equal("GET", request.Method);
        // ':' stays literal and ' ' / '?' are escaped, exactly as Go's url package would, so daprd reads the key back unchanged.
        Assert.Equal("/v1.0/state/chatstore/session:abc%20def%3Fx", request.PathAndQuery);
        Assert.Equal("sekret", request.Header("dapr-api-token"));
        Assert.Equal(new Session("a", 2), value);
        Assert.Equal("7", etag);
    }

    [Fact]
    public async Task A_204_from_get_state_means_the_key_is_missing()
    {
        var sidecar = new FakeSidecar();
        var client = sidecar.CreateClient();

        var (value, etag) = await client.GetStateAndETagAsync<Session>("chatstore", "gone", cancellationToken: Ct);

        Assert.Null(value);
        Assert.Null(etag);
        Assert.Null(sidecar.Single().Header("dapr-api-token"));
    }

    [Fact]
    public async Task Get_state_sends_consistency_as_a_plain_query_parameter_and_metadata_with_the_metadata_prefix()
    {
        var sidecar = new FakeSidecar();
        var client = sidecar.CreateClient();

        await client.GetStateAsync<Session>("userstore", "k", ConsistencyMode.Strong,
            new Dictionary<string, string> { ["partitionKey"] = "a b&c" }, Ct);

        Assert.Equal("/v1.0/state/userstore/k?consistency=strong&metadata.partitionKey=a%20b%26c", sidecar.Single().PathAndQuery);
    }

    [Fact]
    public async Task Save_state_posts_one_item_array_with_a_string_ttl_and_the_concurrency_options()
    {
        var sidecar = new FakeSidecar();
        var client = sidecar.CreateClient();

        await client.SaveStateAsync("chatstore", "session-1", new Session("a", 1),
            new StateOptions { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong },
            StateMetadata.Ttl(TimeSpan.FromHours(24)), Ct);

        var request = sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/state/chatstore", request.PathAndQuery);
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal(
            """[{"key":"session-1","value":{"name":"a","count":1},"metadata":{"ttlInSeconds":"86400"},"options":{"concurrency":"first-write","consistency":"strong"}}]""",
            request.Body);
    }

    [Fact]
    public async Task Save_states_sends_every_item_with_its_etag_in_one_request()
    {
        var sidecar = new FakeSidecar();
        var client = sidecar.CreateClient();

        await client.SaveStatesAsync("chatstore", [new SaveStateItem("a", 1, ETag: "3"), new SaveStateItem("b", "text")], Ct);

        Assert.Equal("""[{"key":"a","value":1,"etag":"3"},{"key":"b","value":"text"}]""", sidecar.Single().Body);
    }

    [Fact]
    public async Task Try_save_state_is_false_when_daprd_answers_409_for_an_etag_mismatch_and_true_on_204()
    {
        var sidecar = new FakeSidecar
        {
            Responder = r => r.Body.Contains("\"etag\":\"1\"", StringComparison.Ordinal)
                ? FakeSidecar.Json(HttpStatusCode.Conflict, """{"errorCode":"ERR_STATE_SAVE","message":"failed saving state in state store chatstore: possible etag mismatch. error from state store: ..."}""")
                : new HttpResponseMessage(HttpStatusCode.NoContent),
        };
        var client = sidecar.CreateClient();

        Assert.False(await client.TrySaveStateAsync("chatstore", "k", 5, "1", cancellationToken: Ct));
        Assert.True(await client.TrySaveStateAsync("chatstore", "k", 5, "2", cancellationToken: Ct));
    }

    [Fact]
    public async Task Delete_state_sends_the_etag_unquoted_in_If_Match_and_the_options_as_query_parameters()
    {
        var sidecar = new FakeSidecar();
        var client = sidecar.CreateClient();

        await client.DeleteStateAsync("chatstore", "k", "3", new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: Ct);

        var request = sidecar.Single();
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/v1.0/state/chatstore/k?concurrency=first-write", request.PathAndQuery);
        Assert.Equal("3", request.Header("If-Match"));
    }

    [Fact]
    public async Task Try_delete_state_is_false_on_409_and_other_failures_still_throw()
    {
        var status = HttpStatusCode.Conflict;
        var sidecar = new FakeSidecar { Responder = _ => FakeSidecar.Json(status, """{"errorCode":"ERR_STATE_DELETE","message":"failed deleting state with key k: possible etag mismatch"}""") };
        var client = sidecar.CreateClient();

        Assert.False(await client.TryDeleteStateAsync("chatstore", "k", "9", cancellationToken: Ct));
        status = HttpStatusCode.InternalServerError;
        var error = await Assert.ThrowsAsync<DaprApiException>(() => client.TryDeleteStateAsync("chatstore", "k", "9", cancellationToken: Ct));
        Assert.Equal("ERR_STATE_DELETE", error.ErrorCode);
    }

    [Fact]
    public async Task A_state_transaction_posts_upserts_and_deletes_in_daprds_body_shape()
    {
        var sidecar = new FakeSidecar();
        var client = sidecar.CreateClient();

        await client.ExecuteStateTransactionAsync("chatstore",
        [
            StateTransactionRequest.Upsert("msg-1", new Session("hi", 1), metadata: StateMetadata.Ttl(TimeSpan.FromSeconds(60))),
            StateTransactionRequest.Delete("msg-0", etag: "2"),
        ], cancellationToken: Ct);

        var request = sidecar.Single();
        Assert.Equal("/v1.0/state/chatstore/transaction", request.PathAndQuery);
        Assert.Equal(
            """{"operations":[{"operation":"upsert","request":{"key":"msg-1","value":{"name":"hi","count":1},"metadata":{"ttlInSeconds":"60"}}},{"operation":"delete","request":{"key":"msg-0","etag":"2"}}],"metadata":{}}""",
            request.Body);
    }

    [Fact]
    public async Task Bulk_get_reads_daprds_data_field_and_reports_missing_keys_and_per_key_errors()
    {
        var sidecar = new FakeSidecar
        {
            Responder = _ => FakeSidecar.Json(HttpStatusCode.OK,
                """[{"key":"a","data":{"name":"x","count":1},"etag":"4"},{"key":"b"},{"key":"c","error":"boom"}]"""),
        };
        var client = sidecar.CreateClient();

        var raw = await client.GetBulkStateAsync("chatstore", ["a", "b", "c"], parallelism: 2, cancellationToken: Ct);
        var typed = await client.GetBulkStateAsync<Session>("chatstore", ["a", "b", "c"], cancellationToken: Ct);

        Assert.Equal("""{"keys":["a","b","c"],"parallelism":2}""", sidecar.Requests[0].Body);
        Assert.Equal("/v1.0/state/chatstore/bulk", sidecar.Requests[0].PathAndQuery);
        Assert.Equal("""{"name":"x","count":1}""", raw[0].Value);
        Assert.Equal("4", raw[0].ETag);
        Assert.False(raw[1].Found);
        Assert.Equal("boom", raw[2].Error);
        Assert.Equal(new Session("x", 1), typed[0].Value);
        Assert.True(typed[0].Found);
        Assert.Null(typed[1].Value);
    }

    [Fact]
    public void A_ttl_is_whole_seconds_as_a_string_rounded_up_so_it_never_becomes_no_ttl()
    {
        Assert.Equal("2", StateMetadata.Ttl(TimeSpan.FromMilliseconds(1500))[StateMetadata.TtlInSeconds]);
        Assert.Equal("-1", StateMetadata.NeverExpire()[StateMetadata.TtlInSeconds]);
        Assert.Throws<ArgumentOutOfRangeException>(() => StateMetadata.Ttl(TimeSpan.Zero));
    }
}
