using Google.Protobuf;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using LocalDapr.Api;

namespace LocalDapr.Grpc;

public delegate Task<IMessage> UnaryHandler(IMessage request, ServerCallContext context);

public delegate Task ServerStreamingHandler(IMessage request, IServerStreamWriter<IMessage> responses, ServerCallContext context);

/// <summary>
/// A gRPC service bound from the protobuf descriptor that a package's generated code embeds (no .proto copy, no
/// generated server base): the messages are the package's own types, parsed by each method's descriptor. Register
/// handlers for the methods served; every other method of the service answers UNIMPLEMENTED with Dapr-style details.
/// The Dapr API and, later, the workflow engine's TaskHubSidecarService are bound this way on one listener.
/// </summary>
public sealed class GrpcServiceBinding(ServiceDescriptor descriptor)
{
    private readonly Dictionary<string, UnaryHandler> _unary = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServerStreamingHandler> _serverStreaming = new(StringComparer.Ordinal);

    public ServiceDescriptor Descriptor { get; } = descriptor;

    public GrpcServiceBinding Unary(string method, UnaryHandler handler)
    {
        var md = Find(method);
        if (md.IsClientStreaming || md.IsServerStreaming)
        {
            throw new ArgumentException($"{Descriptor.FullName}/{method} is not a unary method", nameof(method));
        }

        _unary[method] = handler;
        return this;
    }

    /// <summary>A typed unary handler: the request arrives as the package's message type.</summary>
    public GrpcServiceBinding Unary<TRequest>(string method, Func<TRequest, ServerCallContext, Task<IMessage>> handler)
        where TRequest : IMessage => Unary(method, (request, context) => handler((TRequest)request, context));

    public GrpcServiceBinding ServerStreaming(string method, ServerStreamingHandler handler)
    {
        var md = Find(method);
        if (md.IsClientStreaming || !md.IsServerStreaming)
        {
            throw new ArgumentException($"{Descriptor.FullName}/{method} is not a server-streaming method", nameof(method));
        }

        _serverStreaming[method] = handler;
        return this;
    }

    public bool Handles(string method) => _unary.ContainsKey(method) || _serverStreaming.ContainsKey(method);

    internal void AddMethods(ServiceMethodProviderContext<GrpcBoundService> context)
    {
        foreach (var md in Descriptor.Methods)
        {
            var method = new Method<IMessage, IMessage>(
                md.IsClientStreaming
                    ? md.IsServerStreaming ? MethodType.DuplexStreaming : MethodType.ClientStreaming
                    : md.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary,
                Descriptor.FullName,
                md.Name,
                Marshaller(md.InputType.Parser),
                Marshaller(md.OutputType.Parser));
            var name = md.Name;
            switch (method.Type)
            {
                case MethodType.Unary:
                    var unary = _unary.GetValueOrDefault(name);
                    context.AddUnaryMethod(method, [], (_, request, call) => unary is null ? throw Unimplemented(call.Method) : Translate(call, () => unary(request, call)));
                    break;
                case MethodType.ServerStreaming:
                    var streaming = _serverStreaming.GetValueOrDefault(name);
                    context.AddServerStreamingMethod(method, [], (_, request, writer, call) =>
                        streaming is null ? throw Unimplemented(call.Method) : Translate(call, async () => { await streaming(request, writer, call); return request; }));
                    break;
                case MethodType.ClientStreaming:
                    context.AddClientStreamingMethod(method, [], (_, _, call) => throw Unimplemented(call.Method));
                    break;
                default:
                    context.AddDuplexStreamingMethod(method, [], (_, _, _, call) => throw Unimplemented(call.Method));
                    break;
            }
        }
    }

    private MethodDescriptor Find(string method) =>
        Descriptor.FindMethodByName(method) ?? throw new ArgumentException($"{Descriptor.FullName} has no method {method}", nameof(method));

    private static Marshaller<IMessage> Marshaller(MessageParser parser) =>
        Marshallers.Create(message => message.ToByteArray(), bytes => parser.ParseFrom(bytes));

    /// <summary>What the runtime throws becomes the status daprd answers with; a cancelled call stays cancelled.</summary>
    private static async Task<IMessage> Translate(ServerCallContext call, Func<Task<IMessage>> handler)
    {
        try
        {
            return await handler();
        }
        catch (DaprError error)
        {
            throw error.ToRpcException();
        }
        catch (OperationCanceledException) when (call.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            call.GetHttpContext().RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("grpc").GrpcRequestFailed(ex, call.Method);
            throw new RpcException(new Status(StatusCode.Unknown, ex.Message));
        }
    }

    /// <summary>A method of a served service that local-dapr does not implement (daprd answers Unimplemented for the ones it lacks).</summary>
    public static RpcException Unimplemented(string method) => GrpcErrorDetails.Exception(
        StatusCode.Unimplemented,
        $"method {method.TrimStart('/')} is not implemented by local-dapr (see tools/local-dapr/README.md)",
        [GrpcErrorDetails.ErrorInfo("ERR_API_UNIMPLEMENTED", new Dictionary<string, string> { ["method"] = method })]);
}

/// <summary>The one service class every descriptor-bound service maps onto; the methods carry their own service names.</summary>
public sealed class GrpcBoundService;

/// <summary>Hands ASP.NET Core gRPC the methods of every <see cref="GrpcServiceBinding"/> the listener serves.</summary>
internal sealed class GrpcBoundMethodProvider(IEnumerable<GrpcServiceBinding> bindings) : IServiceMethodProvider<GrpcBoundService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<GrpcBoundService> context)
    {
        foreach (var binding in bindings)
        {
            binding.AddMethods(context);
        }
    }
}
