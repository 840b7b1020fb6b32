using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using LocalDapr.Api;

namespace LocalDapr;

/// <summary>google.rpc error details as daprd puts them in grpc-status-details-bin.</summary>
public static class GrpcErrorDetails
{
    public const string Domain = "dapr.io";

    public static ErrorInfo ErrorInfo(string reason, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
        {
            info.Metadata[k] = v;
        }

        return info;
    }

    public static ResourceInfo ResourceInfo(string type, string name, string description) =>
        new() { ResourceType = type, ResourceName = name, Owner = "", Description = description };

    /// <summary>A status with details, as RpcException: the details travel as grpc-status-details-bin.</summary>
    public static RpcException Exception(StatusCode code, string message, IEnumerable<IMessage> details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.AddRange(details.Select(Any.Pack));
        var trailers = new Metadata();
        if (status.Details.Count > 0)
        {
            trailers.Add("grpc-status-details-bin", status.ToByteArray());
        }

        return new RpcException(new global::Grpc.Core.Status(code, message), trailers, message);
    }

    /// <summary>daprd's invokev1.ErrorFromHTTPResponseCode: the HTTP status text, an ErrorInfo with http.code and the first 63 characters of the detail.</summary>
    public static RpcException FromHttpStatus(int status, string statusText, string detail)
    {
        var metadata = new Dictionary<string, string>
        {
            ["http.code"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["http.error_message"] = detail.Length >= 63 ? detail[..63] : detail,
        };
        return Exception(DaprError.GrpcCodeFor(status), statusText, [ErrorInfo(statusText, metadata)]);
    }

    public static RpcException ToRpcException(this DaprError error)
    {
        var details = error.GrpcDetails ?? FromJson(error);
        return Exception(error.GrpcCode, error.GrpcMessage ?? error.Message, details);
    }

    private static List<IMessage> FromJson(DaprError error)
    {
        var details = new List<IMessage>();
        foreach (var node in error.Details ?? [])
        {
            if (node is not JsonObject detail)
            {
                continue;
            }

            switch (detail["@type"]?.GetValue<string>())
            {
                case "type.googleapis.com/google.rpc.ErrorInfo":
                    var metadata = (detail["metadata"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "");
                    details.Add(ErrorInfo(detail["reason"]?.GetValue<string>() ?? error.ErrorCode, metadata));
                    break;
                case "type.googleapis.com/google.rpc.ResourceInfo":
                    details.Add(ResourceInfo(detail["resource_type"]?.GetValue<string>() ?? "", detail["resource_name"]?.GetValue<string>() ?? "", detail["description"]?.GetValue<string>() ?? ""));
                    break;
            }
        }

        // apierrors.Basic: every kit error names its error code in an ErrorInfo.
        if (details.Count == 0)
        {
            details.Add(ErrorInfo(error.ErrorCode));
        }

        return details;
    }
}
