using System.Text.Json;

namespace DaprChat.Notify.Push;

/// <summary>What became of one push to one device.</summary>
public enum PushOutcome
{
    Sent,

    /// <summary>FCM says the token is dead (UNREGISTERED, an invalid token, another project's token): remove it.</summary>
    TokenDead,

    /// <summary>FCM refused the request itself (our bug or config); retrying will not help, the token stays.</summary>
    Rejected,

    /// <summary>FCM is overloaded or down (429/5xx after retries, or the circuit is open): try again later.</summary>
    Unavailable,

    /// <summary>FCM refused our credential even after a refresh.</summary>
    Unauthorized,
}

/// <summary>Reads FCM HTTP v1 error answers as FCM documents them (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).</summary>
public static class FcmErrors
{
    public static PushOutcome Classify(int status, string? body)
    {
        if (status is >= 200 and < 300)
        {
            return PushOutcome.Sent;
        }

        var (errorCode, tokenField) = Read(body);
        return (status, errorCode) switch
        {
            (_, "UNREGISTERED") => PushOutcome.TokenDead,
            // The token belongs to another Firebase project: it will never work for ours.
            (_, "SENDER_ID_MISMATCH") => PushOutcome.TokenDead,
            // INVALID_ARGUMENT is a dead token only when FCM names the token field; otherwise the payload is at fault.
            (400, "INVALID_ARGUMENT") => tokenField ? PushOutcome.TokenDead : PushOutcome.Rejected,
            (404, _) => PushOutcome.TokenDead,
            (401, _) => PushOutcome.Unauthorized,
            (429, _) or (>= 500, _) => PushOutcome.Unavailable,
            _ => PushOutcome.Rejected,
        };
    }

    /// <summary>The FcmError code in <c>error.details</c> (or <c>error.status</c>), and whether a BadRequest names <c>message.token</c>.</summary>
    private static (string? ErrorCode, bool TokenField) Read(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, false);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return (null, false);
            }

            string? code = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var tokenField = false;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    var type = detail.TryGetProperty("@type", out var t) ? t.GetString() : null;
                    if (type?.EndsWith("google.firebase.fcm.v1.FcmError", StringComparison.Ordinal) == true && detail.TryGetProperty("errorCode", out var ec))
                    {
                        code = ec.GetString();
                    }
                    else if (type?.EndsWith("google.rpc.BadRequest", StringComparison.Ordinal) == true && detail.TryGetProperty("fieldViolations", out var violations)
                        && violations.ValueKind == JsonValueKind.Array)
                    {
                        tokenField |= violations.EnumerateArray().Any(v => v.TryGetProperty("field", out var f) && f.GetString() == "message.token");
                    }
                }
            }

            return (code, tokenField);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }
}
