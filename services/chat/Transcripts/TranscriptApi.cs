using DaprChat.Chat.Sessions;
using DaprChat.Contracts;
using DaprChat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DaprChat.Chat.Transcripts;

/// <summary>
/// <c>GET /sessions/{sessionId}/transcript</c>, for main and summarize through Dapr invocation only: the sidecar's
/// <c>dapr-caller-app-id</c> must name one of them, and the route is sidecar-only (<c>APP_API_TOKEN</c>), so the header
/// cannot be forged from outside.
/// </summary>
public static class TranscriptApi
{
    private static readonly string[] AllowedCallers = [DaprNames.Apps.Main, DaprNames.Apps.Summarize];

    public static IEndpointConventionBuilder MapTranscriptApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/sessions/{sessionId}/transcript", GetAsync).RequireDaprSidecar().ExcludeFromDescription();

    private static async Task<Results<Ok<ChatTranscript>, ProblemHttpResult>> GetAsync(
        string sessionId, HttpContext context, ChatStore store, IOptions<ChatOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = context.Request.Headers["dapr-caller-app-id"].ToString();
        if (!AllowedCallers.Contains(caller, StringComparer.Ordinal))
        {
            return TypedResults.Problem(title: "Only main and summarize may read transcripts", statusCode: StatusCodes.Status403Forbidden,
                extensions: new Dictionary<string, object?> { ["code"] = "caller_not_allowed" });
        }

        var session = await store.GetSessionAsync(sessionId, cancellationToken);
        var retention = options.Value.MessageRetention;
        if (session is null || time.GetUtcNow() >= session.RetainedUntil(retention))
        {
            return TypedResults.Problem(title: "No such session, or it has expired", statusCode: StatusCodes.Status404NotFound,
                extensions: new Dictionary<string, object?> { ["code"] = "session_not_found" });
        }

        var messages = await store.ReadAsync(sessionId, 1, session.LastSequence, cancellationToken);
        return TypedResults.Ok(new ChatTranscript(session.ToSnapshot(retention), messages));
    }
}
