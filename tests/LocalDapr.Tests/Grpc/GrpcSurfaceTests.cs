using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using LocalDapr.Grpc;
using LocalDapr.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Tests.Grpc;

/// <summary>The gRPC listener itself: the API token, UNIMPLEMENTED for what local-dapr lacks, reflection, and the binder other services plug into.</summary>
public sealed class GrpcSurfaceTests
{
    [Fact]
    public async Task With_DAPR_API_TOKEN_set_a_gRPC_call_without_it_or_with_a_wrong_one_is_Unauthenticated_and_the_right_one_passes()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null, apiToken: "s3cret");
        using var anonymous = GrpcClients.Sdk(sidecar);
        using var wrong = GrpcClients.Sdk(sidecar, "guess");
        using var right = GrpcClients.Sdk(sidecar, "s3cret");

        var missing = await GrpcClients.ShouldFailAsync(StatusCode.Unauthenticated, () => anonymous.GetStateAsync<int>("chatstore", "k"));
        Assert.Equal("Unauthorized", missing.Status.Detail);
        var info = missing.ErrorInfo();
        Assert.Equal("Unauthorized", info.Reason);
        Assert.Equal("401", info.Metadata["http.code"]);
        Assert.Equal("missing api token in request metadata", info.Metadata["http.error_message"]);

        var mismatch = await GrpcClients.ShouldFailAsync(StatusCode.Unauthenticated, () => wrong.SaveStateAsync("chatstore", "k", 1));
        Assert.Equal("authentication error: api token mismatch", mismatch.ErrorInfo().Metadata["http.error_message"]);

        await right.SaveStateAsync("chatstore", "k", 7);
        Assert.Equal(7, await right.GetStateAsync<int>("chatstore", "k"));
    }

    [Fact]
    public async Task Reflection_lists_the_Dapr_service_and_describes_it_and_it_too_needs_the_token()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null, apiToken: "s3cret");
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var reflection = new ServerReflection.ServerReflectionClient(channel);

        var services = await AskAsync(reflection, new ServerReflectionRequest { ListServices = "" }, GrpcClients.Token("s3cret"));
        var names = services.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("dapr.proto.runtime.v1.Dapr", names);
        Assert.Contains("grpc.reflection.v1.ServerReflection", names);

        var file = await AskAsync(reflection, new ServerReflectionRequest { FileContainingSymbol = "dapr.proto.runtime.v1.Dapr" }, GrpcClients.Token("s3cret"));
        var described = file.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom).ToList();
        Assert.Contains(described, f => f.Service.Any(s => s.Name == "Dapr" && s.Method.Any(m => m.Name == "GetState")));

        var refused = await GrpcClients.ShouldFailAsync(StatusCode.Unauthenticated, () => AskAsync(reflection, new ServerReflectionRequest { ListServices = "" }, null));
        Assert.Equal("missing api token in request metadata", refused.ErrorInfo().Metadata["http.error_message"]);
    }

    [Fact]
    public async Task Dapr_methods_local_dapr_does_not_serve_answer_Unimplemented_with_dapr_style_details()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var sidecar = await runtime.AddSidecarAsync("main", null);
        var (channel, raw) = GrpcClients.Raw(sidecar);
        using var _ = channel;

        var binding = await GrpcClients.ShouldFailAsync(StatusCode.Unimplemented, async () => await raw.InvokeBindingAsync(new InvokeBindingRequest { Name = "b" }));
        Assert.Contains("dapr.proto.runtime.v1.Dapr/InvokeBinding", binding.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("ERR_API_UNIMPLEMENTED", binding.ErrorInfo().Reason);
        await GrpcClients.ShouldFailAsync(StatusCode.Unimplemented, async () => await raw.QueryStateAlpha1Async(new QueryStateRequest { StoreName = "chatstore" }));
        await GrpcClients.ShouldFailAsync(StatusCode.Unimplemented, async () => await raw.GetConfigurationAsync(new GetConfigurationRequest { StoreName = "c" }));

        // A streaming method the runtime lacks answers the same way.
        using var stream = raw.SubscribeTopicEventsAlpha1();
        var subscribe = await GrpcClients.ShouldFailAsync(StatusCode.Unimplemented, async () =>
        {
            await stream.RequestStream.WriteAsync(new SubscribeTopicEventsRequestAlpha1());
            await stream.ResponseStream.MoveNext();
        });
        Assert.Equal("ERR_API_UNIMPLEMENTED", subscribe.ErrorInfo().Reason);
    }

    [Fact]
    public async Task Another_descriptor_bound_service_is_served_on_the_same_port_behind_the_same_token_and_listed_by_reflection()
    {
        await using var runtime = await Runtime.StartAsync(Profile.Memory);
        var echo = EchoService();
        runtime.Cluster.AddGrpcService(_ => new GrpcServiceBinding(echo)
            .Unary<StringValue>("Say", (request, _) => Task.FromResult<IMessage>(new StringValue { Value = "said " + request.Value }))
            .ServerStreaming("Count", async (request, responses, _) =>
            {
                for (var i = 1; i <= int.Parse(((StringValue)request).Value, System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    await responses.WriteAsync(new StringValue { Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                }
            }));
        var sidecar = await runtime.AddSidecarAsync("main", null, apiToken: "s3cret");
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var invoker = channel.CreateCallInvoker();
        var marshaller = Marshallers.Create<StringValue>(m => m.ToByteArray(), StringValue.Parser.ParseFrom);
        var say = new Method<StringValue, StringValue>(MethodType.Unary, "test.Echo", "Say", marshaller, marshaller);
        var count = new Method<StringValue, StringValue>(MethodType.ServerStreaming, "test.Echo", "Count", marshaller, marshaller);
        var shout = new Method<StringValue, StringValue>(MethodType.Unary, "test.Echo", "Shout", marshaller, marshaller);
        var withToken = new CallOptions(GrpcClients.Token("s3cret"));

        Assert.Equal("said hi", (await invoker.AsyncUnaryCall(say, null, withToken, new StringValue { Value = "hi" })).Value);
        using var counting = invoker.AsyncServerStreamingCall(count, null, withToken, new StringValue { Value = "3" });
        var counted = new List<string>();
        await foreach (var item in counting.ResponseStream.ReadAllAsync())
        {
            counted.Add(item.Value);
        }

        Assert.Equal(["1", "2", "3"], counted);
        await GrpcClients.ShouldFailAsync(StatusCode.Unauthenticated, async () => await invoker.AsyncUnaryCall(say, null, new CallOptions(), new StringValue { Value = "hi" }));
        var unbound = await GrpcClients.ShouldFailAsync(StatusCode.Unimplemented, async () => await invoker.AsyncUnaryCall(shout, null, withToken, new StringValue()));
        Assert.Equal("ERR_API_UNIMPLEMENTED", unbound.ErrorInfo().Reason);

        var reflection = new ServerReflection.ServerReflectionClient(channel);
        var services = await AskAsync(reflection, new ServerReflectionRequest { ListServices = "" }, GrpcClients.Token("s3cret"));
        Assert.Contains("test.Echo", services.ListServicesResponse.Service.Select(s => s.Name));
        Assert.Contains("dapr.proto.runtime.v1.Dapr", services.ListServicesResponse.Service.Select(s => s.Name));
    }

    /// <summary>A service known only by its descriptor, bound to generated message types (wrappers.proto), as a package's embedded descriptor is.</summary>
    private static ServiceDescriptor EchoService()
    {
        var proto = new FileDescriptorProto { Name = "test/echo.proto", Package = "test", Syntax = "proto3", Dependency = { "google/protobuf/wrappers.proto" } };
        proto.Service.Add(new ServiceDescriptorProto
        {
            Name = "Echo",
            Method =
            {
                new MethodDescriptorProto { Name = "Say", InputType = ".google.protobuf.StringValue", OutputType = ".google.protobuf.StringValue" },
                new MethodDescriptorProto { Name = "Count", InputType = ".google.protobuf.StringValue", OutputType = ".google.protobuf.StringValue", ServerStreaming = true },
                new MethodDescriptorProto { Name = "Shout", InputType = ".google.protobuf.StringValue", OutputType = ".google.protobuf.StringValue" },
            },
        });
        var file = FileDescriptor.FromGeneratedCode(proto.ToByteArray(), [WrappersReflection.Descriptor], new GeneratedClrTypeInfo(null, null, null));
        return file.Services[0];
    }

    private static async Task<ServerReflectionResponse> AskAsync(ServerReflection.ServerReflectionClient client, ServerReflectionRequest request, Metadata? headers)
    {
        using var call = client.ServerReflectionInfo(headers);
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        return call.ResponseStream.Current;
    }
}
