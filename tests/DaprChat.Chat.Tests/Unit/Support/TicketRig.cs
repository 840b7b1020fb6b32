using DaprChat.Chat.Tickets;
using Microsoft.Extensions.Options;

namespace DaprChat.Chat.Tests.Unit.Support;

/// <summary>A validator over a cache over a fake JWKS that publishes <see cref="Main"/>'s key, on a hand-moved clock.</summary>
public sealed class TicketRig : IDisposable
{
    public TicketRig(TicketOptions? options = null)
    {
        Options = options ?? new TicketOptions();
        Source = new FakeJwksSource(MainKey.Set(Main.Jwk()));
        Cache = new JwksCache(Source, Microsoft.Extensions.Options.Options.Create(Options), Time, CacheLog);
        Validator = new TicketValidator(Cache, Microsoft.Extensions.Options.Options.Create(Options), Time, ValidatorLog);
    }

    public TicketOptions Options { get; }

    public ManualTime Time { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public MainKey Main { get; } = new();

    public FakeJwksSource Source { get; }

    public ListLogger<JwksCache> CacheLog { get; } = new();

    public ListLogger<TicketValidator> ValidatorLog { get; } = new();

    public JwksCache Cache { get; }

    public TicketValidator Validator { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public Task<TicketCheck> ValidateAsync(string? ticket, string sessionId = "s1") => Validator.ValidateAsync(ticket, sessionId, CancellationToken.None);

    public void Dispose()
    {
        Cache.Dispose();
        Main.Dispose();
    }
}
