using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dapr.Client;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using LocalDapr.Tests.Infrastructure;
using Xunit;
using StateOptions = Dapr.Client.StateOptions;

namespace LocalDapr.Tests.Grpc;

/// <summary>
/// The gRPC state API driven by the official SDK's DaprClient (Dapr.Client 1.19), against the same store the HTTP API
/// uses: what one API writes the other reads. Errors as daprd 1.16's pkg/api/grpc answers them.
/// </summary>
public sealed class GrpcStateTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    public sealed record Order(string Id, int Quantity);

    /// <summary>One sidecar of app "main", the SDK's client on its gRPC port, and the HTTP URL of chatstore.</summary>
    private sealed class World(Runtime runtime, LocalDapr.Hosting.Sidecar sidecar) : IAsyncDisposable
    {
        public Runtime Runtime { get; } = runtime;
        public LocalDapr.Hosting.Sidecar Sidecar { get; } = sidecar;
        public DaprClient Dapr { get; } = GrpcClients.Sdk(sidecar);
        public string Url { get; } = sidecar.HttpEndpoint + "/v1.0/state/chatstore";

        public async ValueTask DisposeAsync()
        {
            Dapr.Dispose();
            await Runtime.DisposeAsync();
        }
    }

    private async Task<World> StartAsync(Profile profile)
    {
        var runtime = await Runtime.StartAsync(profile, profile == Profile.Redis ? redis.Server : null);
        return new World(runtime, await runtime.AddSidecarAsync("main", appPort: null));
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task What_the_SDK_saves_over_gRPC_HTTP_reads_and_the_other_way_round(Profile profile)
    {
        await using var world = await StartAsync(profile);
        var (runtime, sidecar, dapr, url) = (world.Runtime, world.Sidecar, world.Dapr, world.Url);

        await dapr.SaveStateAsync("chatstore", "o1", new Order("o1", 3));
        var overHttp = await runtime.Http.GetAsync(url + "/o1");
        Assert.Equal(HttpStatusCode.OK, overHttp.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"o1","quantity":3}"""), await overHttp.JsonAsync()));

        await runtime.Http.PostJsonAsync(url, """[{"key":"o2","value":{"id":"o2","quantity":5}}]""");
        var (value, etag) = await dapr.GetStateAndETagAsync<Order>("chatstore", "o2");
        Assert.Equal(new Order("o2", 5), value);
        Assert.Equal((await runtime.Http.GetAsync(url + "/o2")).Headers.GetValues("ETag").Single(), etag);

        // A missing key is empty data, which the SDK turns into default.
        Assert.Null(await dapr.GetStateAsync<Order>("chatstore", "never-written"));
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task Bulk_get_delete_and_bulk_delete_over_gRPC_match_HTTP(Profile profile)
    {
        await using var world = await StartAsync(profile);
        var (runtime, sidecar, dapr, url) = (world.Runtime, world.Sidecar, world.Dapr, world.Url);
        await runtime.Http.PostJsonAsync(url, """[{"key":"a","value":1},{"key":"b","value":"two"},{"key":"c","value":3}]""");

        var bulk = await dapr.GetBulkStateAsync("chatstore", ["a", "b", "missing"], parallelism: null);
        Assert.Equal(["a", "b", "missing"], bulk.Select(i => i.Key));
        Assert.Equal("1", bulk[0].Value);
        Assert.Equal("\"two\"", bulk[1].Value);
        Assert.False(string.IsNullOrEmpty(bulk[0].ETag));
        Assert.Equal("", bulk[2].Value);
        Assert.Equal("", bulk[2].ETag);

        await dapr.DeleteStateAsync("chatstore", "a");
        await dapr.DeleteBulkStateAsync("chatstore", [new BulkDeleteStateItem("b", ""), new BulkDeleteStateItem("c", "")]);
        foreach (var key in new[] { "a", "b", "c" })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(url + "/" + key)).StatusCode);
        }
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_transaction_over_gRPC_applies_upserts_and_deletes_together_and_a_stale_etag_applies_nothing(Profile profile)
    {
        await using var world = await StartAsync(profile);
        var (runtime, sidecar, dapr, url) = (world.Runtime, world.Sidecar, world.Dapr, world.Url);
        await runtime.Http.PostJsonAsync(url, """[{"key":"gone","value":1},{"key":"kept","value":1}]""");

        await dapr.ExecuteStateTransactionAsync("chatstore",
        [
            new StateTransactionRequest("new", Encoding.UTF8.GetBytes("""{"n":1}"""), StateOperationType.Upsert),
            new StateTransactionRequest("gone", null, StateOperationType.Delete),
        ]);
        Assert.Equal("""{"n":1}""", await (await runtime.Http.GetAsync(url + "/new")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(url + "/gone")).StatusCode);

        var stale = profile == Profile.Redis ? "999" : Guid.NewGuid().ToString();
        var error = await GrpcClients.ShouldFailAsync(StatusCode.Internal, () => dapr.ExecuteStateTransactionAsync("chatstore",
        [
            new StateTransactionRequest("kept", Encoding.UTF8.GetBytes("2"), StateOperationType.Upsert, etag: stale),
            new StateTransactionRequest("new", null, StateOperationType.Delete),
        ]));
        Assert.StartsWith("error while executing state transaction: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("ERR_STATE_TRANSACTION", error.ErrorInfo().Reason);
        Assert.Equal("1", await (await runtime.Http.GetAsync(url + "/kept")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await runtime.Http.GetAsync(url + "/new")).StatusCode);
    }

    [Theory]
    [InlineData(Profile.Memory)]
    [InlineData(Profile.Redis)]
    public async Task A_stale_etag_is_Aborted_so_TrySave_and_TryDelete_return_false_and_first_write_refuses_a_second_write(Profile profile)
    {
        await using var world = await StartAsync(profile);
        var (runtime, sidecar, dapr, url) = (world.Runtime, world.Sidecar, world.Dapr, world.Url);
        await dapr.SaveStateAsync("chatstore", "k", new Order("k", 1));
        var (_, etag) = await dapr.GetStateAndETagAsync<Order>("chatstore", "k");

        Assert.True(await dapr.TrySaveStateAsync("chatstore", "k", new Order("k", 2), etag));
        Assert.False(await dapr.TrySaveStateAsync("chatstore", "k", new Order("k", 3), etag));
        Assert.False(await dapr.TryDeleteStateAsync("chatstore", "k", etag));
        Assert.Equal(new Order("k", 2), await dapr.GetStateAsync<Order>("chatstore", "k"));

        var (channel, raw) = GrpcClients.Raw(sidecar);
        using var __ = channel;
        var request = new SaveStateRequest { StoreName = "chatstore" };
        request.States.Add(new Dapr.Client.Autogen.Grpc.v1.StateItem { Key = "k", Value = ByteString.CopyFromUtf8("4"), Etag = new Etag { Value = etag } });
        var mismatch = await GrpcClients.ShouldFailAsync(StatusCode.Aborted, async () => await raw.SaveStateAsync(request));
        Assert.StartsWith("failed saving state in state store chatstore: possible etag mismatch", mismatch.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("ERR_STATE_SAVE", mismatch.ErrorInfo().Reason);

        await dapr.SaveStateAsync("chatstore", "fw", 1, new StateOptions { Concurrency = ConcurrencyMode.FirstWrite });
        await GrpcClients.ShouldFailAsync(StatusCode.Aborted, () => dapr.SaveStateAsync("chatstore", "fw", 2, new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }));
        Assert.Equal("1", await (await runtime.Http.GetAsync(url + "/fw")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_non_numeric_etag_on_redis_is_InvalidArgument_so_TrySave_throws_instead_of_returning_false()
    {
        await using var world = await StartAsync(Profile.Redis);
        var (runtime, sidecar, dapr) = (world.Runtime, world.Sidecar, world.Dapr);
        await dapr.SaveStateAsync("chatstore", "k", 1);

        var error = await GrpcClients.ShouldFailAsync(StatusCode.InvalidArgument, () => dapr.TrySaveStateAsync("chatstore", "k", 2, "not-a-number"));
        Assert.Contains("invalid etag value", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("ERR_STATE_SAVE", error.ErrorInfo().Reason);
    }

    [Fact]
    public async Task A_missing_store_and_a_bad_key_get_daprds_codes_and_details()
    {
        await using var world = await StartAsync(Profile.Memory);
        var (runtime, sidecar, dapr) = (world.Runtime, world.Sidecar, world.Dapr);

        var missing = await GrpcClients.ShouldFailAsync(StatusCode.InvalidArgument, () => dapr.GetStateAsync<int>("nope", "k"));
        Assert.Equal("state store nope is not found", missing.Status.Detail);
        var info = missing.ErrorInfo();
        Assert.Equal("DAPR_STATE_NOT_FOUND", info.Reason);
        Assert.Empty(info.Metadata);

        var illegal = await GrpcClients.ShouldFailAsync(StatusCode.InvalidArgument, () => dapr.SaveStateAsync("chatstore", "a||b", 1));
        Assert.Equal("input key/keyPrefix 'a||b' can't contain '||'", illegal.Status.Detail);
        Assert.Equal("DAPR_STATE_ILLEGAL_KEY", illegal.ErrorInfo().Reason);

        var (channel, raw) = GrpcClients.Raw(sidecar);
        using var __ = channel;
        var empty = new SaveStateRequest { StoreName = "chatstore" };
        empty.States.Add(new Dapr.Client.Autogen.Grpc.v1.StateItem { Key = "", Value = ByteString.CopyFromUtf8("1") });
        var noKey = await GrpcClients.ShouldFailAsync(StatusCode.InvalidArgument, async () => await raw.SaveStateAsync(empty));
        Assert.Equal("state key cannot be empty", noKey.Status.Detail);

        var unknownOperation = new ExecuteStateTransactionRequest { StoreName = "chatstore" };
        unknownOperation.Operations.Add(new TransactionalStateOperation { OperationType = "merge", Request = new Dapr.Client.Autogen.Grpc.v1.StateItem { Key = "k" } });
        var merge = await GrpcClients.ShouldFailAsync(StatusCode.Unimplemented, async () => await raw.ExecuteStateTransactionAsync(unknownOperation));
        Assert.Equal("operation type merge not supported", merge.Status.Detail);
    }

    [Fact]
    public async Task A_ttl_saved_over_gRPC_is_a_ttl_in_redis_itself_and_the_key_expires_there()
    {
        await using var world = await StartAsync(Profile.Redis);
        var (runtime, sidecar, dapr, url) = (world.Runtime, world.Sidecar, world.Dapr, world.Url);
        await using var connection = await redis.Server.ConnectAsync();
        var db = connection.GetDatabase();

        await dapr.SaveStateAsync("chatstore", "short", new Order("s", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "2" });
        // A second key with a longer TTL shows the value Redis holds; the 2 s one may already be gone on a loaded machine.
        await dapr.SaveStateAsync("chatstore", "minute", new Order("m", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "60" });
        await dapr.SaveStateAsync("chatstore", "long", new Order("l", 1));

        Assert.InRange((long)await db.ExecuteAsync("TTL", "main||minute"), 1, 60);
        Assert.Equal(-1, (long)await db.ExecuteAsync("TTL", "main||long"));
        Assert.Equal("{\"id\":\"m\",\"quantity\":1}", (string?)await db.HashGetAsync("main||minute", "data"));
        await HttpExtensions.EventuallyAsync(async () => (long)await db.ExecuteAsync("EXISTS", "main||short") == 0, TimeSpan.FromSeconds(6), "the key should expire in Redis");
        Assert.Null(await dapr.GetStateAsync<Order>("chatstore", "short"));
        Assert.Equal(HttpStatusCode.NoContent, (await runtime.Http.GetAsync(url + "/short")).StatusCode);
    }

    [Fact]
    public async Task An_in_memory_ttl_is_reported_as_ttlExpireTime_in_the_response_metadata()
    {
        await using var world = await StartAsync(Profile.Memory);
        var (runtime, sidecar, dapr) = (world.Runtime, world.Sidecar, world.Dapr);
        await dapr.SaveStateAsync("chatstore", "t", 1, metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "60" });

        var (channel, raw) = GrpcClients.Raw(sidecar);
        using var __ = channel;
        var response = await raw.GetStateAsync(new GetStateRequest { StoreName = "chatstore", Key = "t" });

        Assert.Equal("1", response.Data.ToStringUtf8());
        var expires = DateTimeOffset.Parse(response.Metadata["ttlExpireTime"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(61));
    }
}
