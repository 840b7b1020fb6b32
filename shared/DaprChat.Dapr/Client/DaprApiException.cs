using System.Net;

namespace DaprChat.Dapr;

/// <summary>
/// Any failed call to the sidecar: a Dapr error reply (<see cref="ErrorCode"/> is daprd's <c>errorCode</c>), a non-Dapr
/// reply (<c>HTTP_&lt;status&gt;</c>, e.g. the plain-text 401 <c>invalid api token</c>), or a transport failure
/// (<see cref="StatusCode"/> null, <see cref="ErrorCode"/> <c>ERR_SIDECAR_UNREACHABLE</c>).
/// </summary>
public sealed class DaprApiException : Exception
{
    public const string SidecarUnreachable = "ERR_SIDECAR_UNREACHABLE";
    public const string SidecarTimeout = "ERR_SIDECAR_TIMEOUT";
    public const string InvalidResponse = "ERR_INVALID_RESPONSE";

    public DaprApiException()
        : this("Dapr API call failed")
    {
    }

    public DaprApiException(string message)
        : this(message, "ERROR", null, null, null)
    {
    }

    public DaprApiException(string message, Exception? innerException)
        : this(message, "ERROR", null, null, innerException)
    {
    }

    public DaprApiException(string message, string errorCode, HttpStatusCode? statusCode, string? responseBody, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        ResponseBody = responseBody;
    }

    /// <summary>daprd's <c>errorCode</c> (e.g. <c>ERR_STATE_SAVE</c>), <c>HTTP_401</c> for non-Dapr bodies, or a transport code.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status daprd answered with; null when no answer arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The raw reply body, for the rich-error <c>details</c> or a target app's own error body.</summary>
    public string? ResponseBody { get; }
}
