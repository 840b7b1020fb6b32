namespace LocalDapr.PubSub;

/// <summary>A message as the broker holds it: the envelope bytes made at publish time, plus publish metadata.</summary>
public sealed record BrokerMessage(string Topic, byte[] Data, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Returns true when the message may be acknowledged, false to leave it for redelivery.</summary>
public delegate Task<bool> BrokerHandler(BrokerMessage message, CancellationToken cancellationToken);

/// <summary>A pub/sub component. A consumer group gets every message once; members of one group compete.</summary>
public interface IPubSubBroker
{
    Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);

    IAsyncDisposable Subscribe(string topic, string consumerGroup, BrokerHandler handler);
}
