using DaprChat.Contracts;
using DaprChat.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DaprChat.Chat.Tickets;

public static class TicketsRegistration
{
    /// <summary>Ticket verification against main's JWKS, fetched through the Dapr sidecar.</summary>
    public static WebApplicationBuilder AddChatTickets(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TicketOptions>().BindConfiguration(TicketOptions.Section)
            .Validate(o => o.ClockSkew >= TimeSpan.Zero && o.ClockSkew <= TimeSpan.FromSeconds(10), "Tickets:ClockSkew must be between 0 and 10 seconds")
            .Validate(o => o.JwksRefreshInterval > TimeSpan.Zero, "Tickets:JwksRefreshInterval must be positive")
            .Validate(o => o.UnknownKidRefreshInterval >= TimeSpan.FromSeconds(1) && o.UnknownKidRefreshInterval <= o.JwksRefreshInterval,
                "Tickets:UnknownKidRefreshInterval must be at least 1 second and at most Tickets:JwksRefreshInterval")
            .Validate(o => o.JwksFetchTimeout > TimeSpan.Zero, "Tickets:JwksFetchTimeout must be positive")
            .Validate(o => o.MaxTicketLength > 0, "Tickets:MaxTicketLength must be positive")
            .ValidateOnStart();
        builder.Services.AddDaprInvocationClient(DaprNames.Apps.Main);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IJwksSource, DaprJwksSource>();
        builder.Services.TryAddSingleton<JwksCache>();
        builder.Services.TryAddSingleton<TicketValidator>();
        return builder;
    }
}
