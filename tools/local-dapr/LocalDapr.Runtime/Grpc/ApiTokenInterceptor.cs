using Grpc.Core;
using Grpc.Core.Interceptors;
using LocalDapr.Hosting;

namespace LocalDapr.Grpc;

/// <summary>
/// daprd's gRPC API-token check (pkg/api/grpc/auth.go) on every method of the listener, reflection included:
/// Unauthenticated, "Unauthorized", and an ErrorInfo naming what was wrong, as invokev1.ErrorFromHTTPResponseCode builds it.
/// </summary>
internal sealed class ApiTokenInterceptor(string? apiToken) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (apiToken is not { Length: > 0 })
        {
            return;
        }

        var given = context.RequestHeaders.Get(ApiToken.Header)?.Value;
        if (given is null)
        {
            throw GrpcErrorDetails.FromHttpStatus(401, "Unauthorized", "missing api token in request metadata");
        }

        if (!ApiToken.Matches(apiToken, given))
        {
            throw GrpcErrorDetails.FromHttpStatus(401, "Unauthorized", "authentication error: api token mismatch");
        }
    }
}
