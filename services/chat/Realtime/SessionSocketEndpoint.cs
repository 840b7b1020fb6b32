using System.Net.WebSockets;
using DaprChat.Chat.Sessions;
using DaprChat.Chat.Tickets;
using DaprChat.Contracts;
using Dapr;
using Microsoft.Extensions.Options;

namespace DaprChat.Chat.Realtime;

/// <summary>
/// <c>GET /session/{sessionId}</c>: every refusal happens before the upgrade, with an HTTP status and problem details.
/// The ticket travels as the subprotocol <c>daprchat.ticket.{jwt}</c> (browsers cannot set headers on a WebSocket, and
/// a query string ends up in access logs) or, for native clients, as <c>Authorization: Bearer</c>.
/// </summary>
public static partial class SessionSocketEndpoint
{
    public static IEndpointConventionBuilder MapSessionSocket(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/session/{sessionId}", ConnectAsync).ExcludeFromDescription();

    private static async Task ConnectAsync(HttpContext context, string sessionId, TicketValidator tickets, ChatSessionClient sessions,
        ConnectionRegistry registry, ChatRoomServices services, IOptions<ChatOptions> options, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("DaprChat.Chat.Realtime.Sockets");
        var refusal = await RefuseAsync(context, sessionId, tickets, sessions, options.Value);
        if (refusal.Result is { } problem)
        {
            LogRefused(logger, sessionId, refusal.Code!);
            await problem.ExecuteAsync(context);
            return;
        }

        var (ticket, admission, connectionId, room) = refusal.Admitted!.Value;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = OfferedProtocols(context).Contains(Protocol.SubProtocol) ? Protocol.SubProtocol : null,
            KeepAliveInterval = options.Value.KeepAliveInterval,
            KeepAliveTimeout = options.Value.KeepAliveTimeout,
        });
        using var connection = new ChatConnection(socket, ticket, admission, room, services, logger, connectionId);
        registry.Add(connection);
        try
        {
            await connection.RunAsync(lifetime.ApplicationStopping);
        }
        finally
        {
            registry.Remove(connection);
        }
    }

    private static async Task<Refusal> RefuseAsync(HttpContext context, string sessionId, TicketValidator tickets, ChatSessionClient sessions, ChatOptions options)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.Headers.Upgrade = "websocket";
            return Refuse(StatusCodes.Status426UpgradeRequired, "websocket_required", "This endpoint speaks WebSocket only");
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return Refuse(StatusCodes.Status403Forbidden, "origin_not_allowed", "This origin may not open chat sockets");
        }

        var check = await tickets.ValidateAsync(TicketFrom(context), sessionId, context.RequestAborted);
        if (check.Refusal is { } why)
        {
            return why switch
            {
                TicketRefusal.WrongSession => Refuse(StatusCodes.Status403Forbidden, "ticket_wrong_session", "The ticket is for another session"),
                TicketRefusal.NoPermission => Refuse(StatusCodes.Status403Forbidden, "ticket_no_permission", "The ticket does not allow joining"),
                TicketRefusal.Expired => Refuse(StatusCodes.Status401Unauthorized, "ticket_expired", "The ticket has expired; ask main for a new one"),
                TicketRefusal.Missing => Refuse(StatusCodes.Status401Unauthorized, "ticket_missing", "A chat ticket is required"),
                _ => Refuse(StatusCodes.Status401Unauthorized, "ticket_invalid", "The ticket is not valid"),
            };
        }

        var ticket = check.Ticket!;
        var connectionId = Guid.NewGuid().ToString("N");
        // One proxy for the socket's life: the SDK builds a proxy's JSON serialisation metadata afresh for each proxy.
        var room = sessions.For(sessionId);
        ChatAdmission admission;
        try
        {
            admission = await room.AdmitAsync(new ChatConnectionRequest(ticket.ParticipantId, connectionId), context.RequestAborted);
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            return Refuse(StatusCodes.Status503ServiceUnavailable, "chat_unavailable", "The chat could not be opened just now; try again");
        }

        return admission.Outcome switch
        {
            ChatOutcomes.Ok => new Refusal(null, null, (ticket, admission, connectionId, room)),
            ChatOutcomes.NotParticipant => Refuse(StatusCodes.Status403Forbidden, "not_a_participant", "You are not a participant of this session"),
            ChatOutcomes.Ended => Refuse(StatusCodes.Status410Gone, "session_ended", "This session has ended"),
            ChatOutcomes.Expired => Refuse(StatusCodes.Status410Gone, "session_expired", "This session has expired"),
            _ => Refuse(StatusCodes.Status404NotFound, "session_not_found", "There is no such session (or it has expired)"),
        };
    }

    private static string? TicketFrom(HttpContext context)
    {
        var fromProtocol = OfferedProtocols(context).FirstOrDefault(p => p.StartsWith(Protocol.TicketSubProtocolPrefix, StringComparison.Ordinal));
        if (fromProtocol is not null)
        {
            return fromProtocol[Protocol.TicketSubProtocolPrefix.Length..];
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static IEnumerable<string> OfferedProtocols(HttpContext context) =>
        context.Request.Headers.SecWebSocketProtocol.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static Refusal Refuse(int status, string code, string title) =>
        new(TypedResults.Problem(title: title, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code }), code, null);

    private sealed record Refusal(IResult? Result, string? Code, (ChatTicket Ticket, ChatAdmission Admission, string ConnectionId, IChatSessionActor Room)? Admitted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Socket for session {SessionId} refused: {Code}")]
    private static partial void LogRefused(ILogger logger, string sessionId, string code);
}
