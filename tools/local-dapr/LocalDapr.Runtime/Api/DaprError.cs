using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;

namespace LocalDapr.Api;

/// <summary>
/// An error daprd would answer with, for both front ends: the HTTP status and JSON body (legacy or rich kit format),
/// and the gRPC status code and google.rpc details. daprd's kit errors carry both codes side by side; its older
/// APIError kind (secrets, invocation) carries no gRPC details at all.
/// </summary>
public sealed class DaprError : Exception
{
    public DaprError(int status, string errorCode, string message, JsonArray? details = null, StatusCode? grpcCode = null)
        : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
        Details = details;
        GrpcCode = grpcCode ?? GrpcCodeFor(status);
    }

    public int Status { get; }
    public string ErrorCode { get; }
    public JsonArray? Details { get; }
    public StatusCode GrpcCode { get; }

    /// <summary>The google.rpc details on gRPC; null derives them from <see cref="Details"/> (or one ErrorInfo naming the error code).</summary>
    public IReadOnlyList<IMessage>? GrpcDetails { get; init; }

    /// <summary>The gRPC message when it differs from the HTTP one.</summary>
    public string? GrpcMessage { get; init; }

    public byte[] ToJson()
    {
        var body = new JsonObject { ["errorCode"] = ErrorCode, ["message"] = Message };
        if (Details is not null)
        {
            body["details"] = Details.DeepClone();
        }

        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    public async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(ToJson());
    }

    /// <summary>google.rpc.ErrorInfo as daprd's kit errors carry it.</summary>
    public static JsonObject ErrorInfo(string reason, JsonObject? metadata = null) => new()
    {
        ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
        ["reason"] = reason,
        ["domain"] = "dapr.io",
        ["metadata"] = metadata ?? new JsonObject(),
    };

    public static JsonObject ResourceInfo(string type, string name, string description) => new()
    {
        ["@type"] = "type.googleapis.com/google.rpc.ResourceInfo",
        ["resource_type"] = type,
        ["resource_name"] = name,
        ["owner"] = "",
        ["description"] = description,
    };

    /// <summary>daprd's google.golang.org/grpc mapping of the HTTP statuses it uses (invokev1.CodeFromHTTPStatus).</summary>
    public static StatusCode GrpcCodeFor(int status) => status switch
    {
        >= 200 and < 300 => StatusCode.OK,
        400 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        409 => StatusCode.Aborted,
        412 => StatusCode.FailedPrecondition,
        429 => StatusCode.ResourceExhausted,
        499 => StatusCode.Cancelled,
        501 => StatusCode.Unimplemented,
        503 => StatusCode.Unavailable,
        504 => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    };

    public static DaprError Malformed(string message) => new(400, "ERR_MALFORMED_REQUEST", message);

    public static DaprError NotImplemented(string what) =>
        new(501, "ERR_NOT_IMPLEMENTED", $"{what} is not implemented by local-dapr (see tools/local-dapr/README.md)");

    public static DaprError StateStoreNotFound(string store, string appId) => new(
        400,
        "ERR_STATE_STORE_NOT_FOUND",
        $"state store {store} is not found",
        [ErrorInfo("DAPR_STATE_NOT_FOUND", new JsonObject { ["appID"] = appId }), ResourceInfo("state", store, "state store is not found")])
    {
        // daprd's gRPC API asks with an empty app id, so the ErrorInfo has no metadata and there is no ResourceInfo.
        GrpcDetails = [GrpcErrorDetails.ErrorInfo("DAPR_STATE_NOT_FOUND")],
    };

    public static DaprError StateStoresNotConfigured(string store, string appId) => new(
        500,
        "ERR_STATE_STORE_NOT_CONFIGURED",
        "state store is not configured",
        [ErrorInfo("DAPR_STATE_NOT_CONFIGURED", new JsonObject { ["appID"] = appId })],
        StatusCode.FailedPrecondition)
    {
        GrpcMessage = $"state store {store} is not configured",
        GrpcDetails = [GrpcErrorDetails.ErrorInfo("DAPR_STATE_NOT_CONFIGURED")],
    };

    public static DaprError PubSubNotFound(string pubsub, string appId) => new(
        404,
        "ERR_PUBSUB_NOT_FOUND",
        $"pubsub {pubsub} is not found",
        [ErrorInfo("DAPR_PUBSUB_NOT_FOUND", new JsonObject { ["appID"] = appId }), ResourceInfo("pubsub", pubsub, "pubsub is not found")],
        StatusCode.InvalidArgument)
    {
        GrpcDetails = [GrpcErrorDetails.ResourceInfo("pubsub", pubsub, $"pubsub {pubsub} is not found"), GrpcErrorDetails.ErrorInfo("DAPR_PUBSUB_NOT_FOUND")],
    };
}
