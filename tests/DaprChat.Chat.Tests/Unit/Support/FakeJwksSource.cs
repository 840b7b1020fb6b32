using DaprChat.Chat.Tickets;
using Microsoft.IdentityModel.Tokens;

namespace DaprChat.Chat.Tests.Unit.Support;

/// <summary>main's JWKS endpoint as the cache sees it: counts fetches, can fail, and can hold a fetch until released.</summary>
public sealed class FakeJwksSource(JsonWebKeySet keys) : IJwksSource
{
    private int _fetches;

    public JsonWebKeySet Keys { get; set; } = keys;

    public bool Fail { get; set; }

    /// <summary>When set, each fetch waits for it (completed asynchronously from outside).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int Fetches => Volatile.Read(ref _fetches);

    public async Task<JsonWebKeySet> FetchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetches);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return Fail ? throw new HttpRequestException("main is down") : Keys;
    }
}
