using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalDapr.PubSub;

namespace LocalDapr.Hosting;

public sealed partial class Sidecar
{
    private async Task SubscribeAsync(AppChannel channel, CancellationToken token)
    {
        var specs = new List<SubscriptionSpec>();
        specs.AddRange(_resources.Subscriptions.Select(d => d.ToSpec(Logger)).OfType<SubscriptionSpec>());
        specs.AddRange(await GetProgrammaticSubscriptionsAsync(channel, token));
        foreach (var spec in specs)
        {
            if (!Components.PubSubs.TryGetValue(spec.PubSubName, out var pubsub))
            {
                Logger.SubscriptionPubSubMissing(spec.Topic, spec.PubSubName);
                continue;
            }

            lock (_subscriptionSpecs)
            {
                _subscriptionSpecs.Add(spec);
            }

            _subscriptions.Add(pubsub.Broker.Subscribe(spec.Topic, pubsub.ConsumerId, (message, ct) => DeliverAsync(spec, message, ct)));
            Logger.Subscribed(AppId, spec.PubSubName, spec.Topic, pubsub.ConsumerId);
        }
    }

    private async Task<List<SubscriptionSpec>> GetProgrammaticSubscriptionsAsync(AppChannel channel, CancellationToken token)
    {
        // daprd retries this with its initialisation policy; a 404 means "no subscriptions".
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
                using var response = await channel.SendAsync(request, token);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return [];
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Logger.SubscribeAnswered(AppId, (int)response.StatusCode);
                    return [];
                }

                return SubscriptionSpec.ParseProgrammatic(await response.Content.ReadAsByteArrayAsync(token), Logger);
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or FormatException && attempt < 5)
            {
                Logger.SubscribeRetrying(AppId, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), token);
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or FormatException)
            {
                Logger.SubscribeFailed(AppId, ex.Message);
                return [];
            }
        }
    }

    private enum Outcome
    {
        Success,
        Retry,
        Drop,
    }

    /// <summary>daprd's delivery of one message, returning whether the broker may acknowledge it.</summary>
    private async Task<bool> DeliverAsync(SubscriptionSpec spec, BrokerMessage message, CancellationToken cancellationToken)
    {
        var channel = AppChannel;
        if (channel is null)
        {
            return false;
        }

        var body = spec.RawPayload ? CloudEvents.FromRawPayload(message.Data, message.Topic, spec.PubSubName) : message.Data;
        JsonObject? envelope;
        try
        {
            envelope = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is null)
        {
            Logger.NotACloudEvent(message.Topic);
            return await SettleAsync(spec, message, Outcome.Retry, cancellationToken);
        }

        if (CloudEvents.IsExpired(envelope, Cluster.Time.GetUtcNow()))
        {
            return await SettleAsync(spec, message, Outcome.Drop, cancellationToken);
        }

        var path = spec.Rules.FirstOrDefault(r => r.Compiled is null || r.Compiled.Evaluate(envelope))?.Path;
        if (path is null)
        {
            // No rule matched: acknowledged (and dead-lettered when configured).
            return await SettleAsync(spec, message, Outcome.Drop, cancellationToken);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(CloudEvents.ContentType);
        request.Headers.TryAddWithoutValidation("pubsubname", spec.PubSubName);
        foreach (var (key, value) in message.Metadata)
        {
            if (!key.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(key.ToLowerInvariant(), value);
            }
        }

        if (envelope["traceparent"]?.GetValue<string>() is { Length: > 0 } traceparent)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        }

        Outcome outcome;
        try
        {
            using var response = await channel.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                Logger.DeliveryNotFound(AppId, path, message.Topic);
                return true;
            }

            outcome = (int)response.StatusCode is >= 200 and < 300
                ? ReadStatus(await response.Content.ReadAsByteArrayAsync(cancellationToken))
                : Outcome.Retry;
        }
        catch (HttpRequestException ex)
        {
            Logger.DeliveryFailed(AppId, message.Topic, ex.Message);
            outcome = Outcome.Retry;
        }

        return await SettleAsync(spec, message, outcome, cancellationToken);
    }

    private static Outcome ReadStatus(byte[] body)
    {
        if (body.Length == 0)
        {
            return Outcome.Success;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("status", out var status))
            {
                return Outcome.Success;
            }

            // Matching is case-sensitive in daprd: anything but SUCCESS, DROP or empty means RETRY.
            return status.ValueKind == JsonValueKind.String ? status.GetString() switch
            {
                "" or "SUCCESS" => Outcome.Success,
                "DROP" => Outcome.Drop,
                _ => Outcome.Retry,
            } : Outcome.Retry;
        }
        catch (JsonException)
        {
            return Outcome.Success;
        }
    }

    private async Task<bool> SettleAsync(SubscriptionSpec spec, BrokerMessage message, Outcome outcome, CancellationToken cancellationToken)
    {
        if (outcome == Outcome.Success)
        {
            return true;
        }

        if (spec.DeadLetterTopic is { } deadLetter && Components.PubSubs.TryGetValue(spec.PubSubName, out var pubsub))
        {
            await pubsub.Broker.PublishAsync(deadLetter, message.Data, message.Metadata, cancellationToken);
            Logger.DeadLettered(message.Topic, deadLetter, outcome.ToString());
            return true;
        }

        if (outcome == Outcome.Drop)
        {
            Logger.Dropped(AppId, message.Topic);
            return true;
        }

        return false;
    }
}
