using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalDapr.Http;

/// <summary>An error daprd would answer with: HTTP status plus its JSON body (legacy or rich kit format).</summary>
public sealed class DaprError : Exception
{
    public DaprError(int status, string errorCode, string message, JsonArray? details = null)
        : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
        Details = details;
    }

    public int Status { get; }
    public string ErrorCode { get; }
    public JsonArray? Details { get; }

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

    public static DaprError Malformed(string message) => new(400, "ERR_MALFORMED_REQUEST", message);

    public static DaprError NotImplemented(string what) =>
        new(501, "ERR_NOT_IMPLEMENTED", $"{what} is not implemented by local-dapr (see tools/local-dapr/README.md)");

    public static DaprError StateStoreNotFound(string store, string appId) => new(
        400,
        "ERR_STATE_STORE_NOT_FOUND",
        $"state store {store} is not found",
        [ErrorInfo("DAPR_STATE_NOT_FOUND", new JsonObject { ["appID"] = appId }), ResourceInfo("state", store, "state store is not found")]);

    public static DaprError StateStoresNotConfigured(string appId) => new(
        500,
        "ERR_STATE_STORE_NOT_CONFIGURED",
        "state store is not configured",
        [ErrorInfo("DAPR_STATE_NOT_CONFIGURED", new JsonObject { ["appID"] = appId })]);

    public static DaprError PubSubNotFound(string pubsub, string appId) => new(
        404,
        "ERR_PUBSUB_NOT_FOUND",
        $"pubsub {pubsub} is not found",
        [ErrorInfo("DAPR_PUBSUB_NOT_FOUND", new JsonObject { ["appID"] = appId }), ResourceInfo("pubsub", pubsub, "pubsub is not found")]);
}
