using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapr.Client.Autogen.Grpc.v1;
using DaprChat.Bench;
using DaprChat.Testing;
using Google.Protobuf;
using Grpc.Net.Client;
using LocalDapr.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

// Each operation through the local runtime (app → HTTP or gRPC → sidecar → Redis) against the same operation straight
// on Redis, measured in this run on this machine; reported as ratios because absolute numbers on a shared 2-core box drift.
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
await using var redis = await RedisServer.StartAsync();
var componentsDir = Directory.CreateTempSubdirectory("daprchat-bench-").FullName;
await File.WriteAllTextAsync(Path.Combine(componentsDir, "components.yaml"), $"""
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: chatstore
    spec:
      type: state.redis
      version: v1
      metadata:
        - name: redisHost
          value: "{redis.Address}"
    ---
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: events
    spec:
      type: pubsub.redis
      version: v1
      metadata:
        - name: redisHost
          value: "{redis.Address}"
    """);

await using var receiver = await DeliveryReceiver.StartAsync();
using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
await using var cluster = new LocalDaprCluster(loggers);
var sidecar = await cluster.StartSidecarAsync(new SidecarOptions { AppId = "bench", AppPort = receiver.Port, HttpPort = 0, ResourcesPaths = [componentsDir] });
await sidecar.WaitUntilReadyAsync(CancellationToken.None);
await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address + ",protocol=resp2");
var client = connection.GetDatabase();
using var http = new HttpClient { BaseAddress = new Uri(sidecar.HttpEndpoint) };
// The generated client of Dapr.Protos, as the SDK's DaprClient uses it, without the SDK's own JSON work on top.
using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
var grpc = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);
var value = Encoding.UTF8.GetBytes("""{"sessionId":"s-1","sequence":42,"sender":"anon_7f3a","content":"a message of ordinary length for a chat","sentAt":"2026-11-22T12:00:00Z"}""");

Console.WriteLine($"local-dapr vs Redis, {iterations} sequential operations each (after {iterations / 10} warm-up), {Environment.ProcessorCount} cores");
Console.WriteLine();
var results = new List<(string Name, Stats Runtime, Stats Redis)>();
var grpcValue = ByteString.CopyFrom(value);

var directSave = await Measure.RunAsync(iterations, async i => await client.ExecuteAsync("HSET", $"direct||k{i % 100}", "data", value, "version", i));
results.Add(("state save (HTTP)", await Measure.RunAsync(iterations, async i =>
{
    using var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""[{"key":"k{{i % 100}}","value":{{Encoding.UTF8.GetString(value)}}}]"""));
    content.Headers.ContentType = new("application/json");
    (await http.PostAsync("/v1.0/state/chatstore", content)).EnsureSuccessStatusCode();
}), directSave));
results.Add(("state save (gRPC)", await Measure.RunAsync(iterations, async i =>
{
    var request = new SaveStateRequest { StoreName = "chatstore" };
    request.States.Add(new Dapr.Client.Autogen.Grpc.v1.StateItem { Key = $"g{i % 100}", Value = grpcValue });
    await grpc.SaveStateAsync(request);
}), directSave));

var directGet = await Measure.RunAsync(iterations, async i => await client.ExecuteAsync("HGETALL", $"direct||k{i % 100}"));
results.Add(("state get (HTTP)", await Measure.RunAsync(iterations, async i =>
{
    using var response = await http.GetAsync($"/v1.0/state/chatstore/k{i % 100}");
    await response.Content.ReadAsByteArrayAsync();
}), directGet));
results.Add(("state get (gRPC)", await Measure.RunAsync(iterations, async i =>
    await grpc.GetStateAsync(new GetStateRequest { StoreName = "chatstore", Key = $"g{i % 100}" })), directGet));

// Publish → delivery: from the publish call to the subscriber holding the event.
var pubsubIterations = Math.Max(100, iterations / 4);
var runtimePubSub = await Measure.RunAsync(pubsubIterations, async i =>
{
    var arrival = receiver.Expect(i);
    using var content = new StringContent($$"""{"n":{{i}}}""", Encoding.UTF8, "application/json");
    (await http.PostAsync("/v1.0/publish/events/bench", content)).EnsureSuccessStatusCode();
    await arrival.WaitAsync(TimeSpan.FromSeconds(10));
});
await client.ExecuteAsync("XGROUP", "CREATE", "direct-bench", "direct", "$", "MKSTREAM");
// A blocking read holds its connection, so it gets its own, as the runtime's subscriptions do.
await using var readerConnection = await ConnectionMultiplexer.ConnectAsync(redis.Address + ",protocol=resp2");
var reader = readerConnection.GetDatabase();
var redisPubSub = await Measure.RunAsync(pubsubIterations, async i =>
{
    await client.ExecuteAsync("XADD", "direct-bench", "*", "data", value);
    var entries = await reader.ExecuteAsync("XREADGROUP", "GROUP", "direct", "direct", "COUNT", 1, "BLOCK", 5000, "STREAMS", "direct-bench", ">");
    var id = (string)((RedisResult[])((RedisResult[])((RedisResult[])((RedisResult[])entries!)[0]!)[1]!)[0]!)[0]!;
    await client.ExecuteAsync("XACK", "direct-bench", "direct", id);
});
results.Add(("publish → delivery", runtimePubSub, redisPubSub));

Console.WriteLine($"{"operation",-20} {"runtime p50",12} {"redis p50",10} {"ratio p50",10} {"runtime p99",12} {"redis p99",10} {"ratio p99",10}");
foreach (var (name, runtime, direct) in results)
{
    Console.WriteLine($"{name,-20} {runtime.P50,10:0.000}ms {direct.P50,8:0.000}ms {runtime.P50 / direct.P50,9:0.0}x {runtime.P99,10:0.000}ms {direct.P99,8:0.000}ms {runtime.P99 / direct.P99,9:0.0}x");
}

Console.WriteLine();
foreach (var operation in new[] { "state save", "state get" })
{
    var viaHttp = results.Single(r => r.Name == operation + " (HTTP)").Runtime;
    var viaGrpc = results.Single(r => r.Name == operation + " (gRPC)").Runtime;
    Console.WriteLine($"{operation}: gRPC / HTTP p50 {viaGrpc.P50 / viaHttp.P50:0.00}x, p99 {viaGrpc.P99 / viaHttp.P99:0.00}x");
}

Directory.Delete(componentsDir, recursive: true);
