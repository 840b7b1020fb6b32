extern alias notify;
using notify::DaprChat.Notify.Push;
using Xunit;

namespace DaprChat.Notify.Tests.Unit;

public sealed class FcmErrorTests
{
    private static string Error(int code, string status, string fcmCode, string? field = null)
    {
        var badRequest = field is null ? "" : ",{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":[{\"field\":\"" + field + "\"}]}";
        return "{\"error\":{\"code\":" + code + ",\"message\":\"m\",\"status\":\"" + status
            + "\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"" + fcmCode + "\"}" + badRequest + "]}}";
    }

    [Theory]
    [InlineData(404, "NOT_FOUND", "UNREGISTERED", null, PushOutcome.TokenDead)]
    [InlineData(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.token", PushOutcome.TokenDead)]
    [InlineData(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", null, PushOutcome.TokenDead)]
    [InlineData(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.android.ttl", PushOutcome.Rejected)]
    [InlineData(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", null, PushOutcome.Unavailable)]
    [InlineData(500, "INTERNAL", "INTERNAL", null, PushOutcome.Unavailable)]
    [InlineData(503, "UNAVAILABLE", "UNAVAILABLE", null, PushOutcome.Unavailable)]
    [InlineData(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", null, PushOutcome.Unauthorized)]
    public void FCM_answers_map_as_FCM_documents_them(int status, string grpcStatus, string fcmCode, string? field, PushOutcome expected) =>
        Assert.Equal(expected, FcmErrors.Classify(status, Error(status, grpcStatus, fcmCode, field)));

    [Fact]
    public void A_success_is_sent_and_an_unreadable_error_body_still_maps_by_status()
    {
        Assert.Equal(PushOutcome.Sent, FcmErrors.Classify(200, null));
        Assert.Equal(PushOutcome.Unavailable, FcmErrors.Classify(502, "<html>bad gateway</html>"));
        Assert.Equal(PushOutcome.Rejected, FcmErrors.Classify(400, "not json"));
    }
}
