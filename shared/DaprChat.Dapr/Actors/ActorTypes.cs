using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DaprChat.Dapr.Actors;

/// <summary>An actor's id within its type.</summary>
public sealed record ActorId
{
    public ActorId(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
    }

    public string Id { get; }

    public string GetId() => Id;

    public override string ToString() => Id;

    public static ActorId CreateRandom() => new(Guid.NewGuid().ToString("N"));
}

/// <summary>What an actor instance knows about itself and the app around it.</summary>
public sealed class ActorHost
{
    public ActorHost(string actorType, ActorId id, DaprClient daprClient, JsonSerializerOptions jsonSerializerOptions, ILoggerFactory loggerFactory)
    {
        ArgumentException.ThrowIfNullOrEmpty(actorType);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(daprClient);
        ArgumentNullException.ThrowIfNull(jsonSerializerOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ActorType = actorType;
        Id = id;
        DaprClient = daprClient;
        JsonSerializerOptions = jsonSerializerOptions;
        LoggerFactory = loggerFactory;
    }

    /// <summary>The Dapr actor type name (e.g. <c>ChatSession</c>), not the CLR type.</summary>
    public string ActorType { get; }

    public ActorId Id { get; }

    /// <summary>The app's client; nested actor calls made through it during a turn carry the turn's reentrancy id.</summary>
    public DaprClient DaprClient { get; }

    /// <summary>Serialises actor state, method requests and results, reminder and timer data.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; }

    public ILoggerFactory LoggerFactory { get; }
}

public enum ActorCallType
{
    ActorInterfaceMethod,
    TimerMethod,
    ReminderMethod,
}

/// <summary>What the current turn is: a method name, timer callback or reminder name.</summary>
public sealed record ActorMethodContext(string MethodName, ActorCallType CallType);

/// <summary>A value that may be absent (the SDK's <c>ConditionalValue</c>).</summary>
public readonly record struct ConditionalValue<TValue>(bool HasValue, TValue Value);

/// <summary>Implemented by actors that register reminders.</summary>
public interface IRemindable
{
    /// <summary>
    /// A reminder fired. <paramref name="state"/> is the raw JSON registered as data (empty when none). In daprd's
    /// scheduler mode (1.15+ default) dueTime and period arrive empty and are given as <see cref="Timeout.InfiniteTimeSpan"/>.
    /// Delivery is at-least-once: make this idempotent.
    /// </summary>
    Task ReceiveReminderAsync(string reminderName, ReadOnlyMemory<byte> state, TimeSpan dueTime, TimeSpan period);
}
