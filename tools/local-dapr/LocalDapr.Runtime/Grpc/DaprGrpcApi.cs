using System.Text;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LocalDapr.Api;
using LocalDapr.Hosting;

namespace LocalDapr.Grpc;

/// <summary>
/// daprd's gRPC API, dapr.proto.runtime.v1.Dapr, bound from Dapr.Protos' own descriptor: a thin front end that maps
/// each request message onto the same building blocks the HTTP API uses. Semantics follow daprd 1.16's
/// pkg/api/grpc/grpc.go: a missing key is an empty GetStateResponse, values are the caller's bytes, an ETag
/// mismatch is Aborted, an invalid ETag InvalidArgument.
/// </summary>
internal sealed class DaprGrpcApi(Sidecar sidecar)
{
    private static readonly Empty Empty = new();

    public static GrpcServiceBinding Bind(Sidecar sidecar)
    {
        var api = new DaprGrpcApi(sidecar);
        return new GrpcServiceBinding(DaprReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("Dapr"))
            .Unary<GetStateRequest>("GetState", api.GetStateAsync)
            .Unary<GetBulkStateRequest>("GetBulkState", api.GetBulkStateAsync)
            .Unary<SaveStateRequest>("SaveState", api.SaveStateAsync)
            .Unary<DeleteStateRequest>("DeleteState", api.DeleteStateAsync)
            .Unary<DeleteBulkStateRequest>("DeleteBulkState", api.DeleteBulkStateAsync)
            .Unary<ExecuteStateTransactionRequest>("ExecuteStateTransaction", api.ExecuteStateTransactionAsync)
            .Unary<PublishEventRequest>("PublishEvent", api.PublishEventAsync)
            .Unary<BulkPublishRequest>("BulkPublishEvent", api.BulkPublishEventAsync)
            .Unary<BulkPublishRequest>("BulkPublishEventAlpha1", api.BulkPublishEventAsync)
            .Unary<InvokeServiceRequest>("InvokeService", api.InvokeServiceAsync)
            .Unary<GetSecretRequest>("GetSecret", api.GetSecretAsync)
            .Unary<GetBulkSecretRequest>("GetBulkSecret", api.GetBulkSecretAsync)
            .Unary<GetMetadataRequest>("GetMetadata", api.GetMetadataAsync)
            .Unary<SetMetadataRequest>("SetMetadata", api.SetMetadataAsync)
            .Unary<ShutdownRequest>("Shutdown", api.ShutdownAsync);
    }

    private async Task<IMessage> GetStateAsync(GetStateRequest request, ServerCallContext context)
    {
        var item = await sidecar.StateApi.GetAsync(request.StoreName, request.Key, context.CancellationToken);
        var response = new GetStateResponse();
        if (item is not null)
        {
            response.Data = ByteString.CopyFrom(item.Data);
            response.Etag = item.ETag ?? "";
            AddExpiry(response.Metadata, item);
        }

        return response;
    }

    private async Task<IMessage> GetBulkStateAsync(GetBulkStateRequest request, ServerCallContext context)
    {
        sidecar.StateApi.Store(request.StoreName);
        var response = new GetBulkStateResponse();
        if (request.Keys.Count == 0)
        {
            return response;
        }

        var items = await sidecar.StateApi.BulkGetAsync(request.StoreName, request.Keys, context.CancellationToken);
        for (var i = 0; i < request.Keys.Count; i++)
        {
            var bulk = new BulkStateItem { Key = request.Keys[i] };
            if (items[i] is { } item)
            {
                bulk.Data = ByteString.CopyFrom(item.Data);
                bulk.Etag = item.ETag ?? "";
                AddExpiry(bulk.Metadata, item);
            }

            response.Items.Add(bulk);
        }

        return response;
    }

    private async Task<IMessage> SaveStateAsync(SaveStateRequest request, ServerCallContext context)
    {
        sidecar.StateApi.Store(request.StoreName);
        var writes = request.States.Select(s => s.Key.Length == 0
            ? throw new DaprError(400, "ERR_STATE_SAVE", "state key cannot be empty")
            : new StateWrite(s.Key, s.Value.ToByteArray(), ETag(s.Etag), ToConcurrency(s.Options), s.Metadata)).ToList();
        await sidecar.StateApi.SaveAsync(request.StoreName, writes, context.CancellationToken);
        return Empty;
    }

    private async Task<IMessage> DeleteStateAsync(DeleteStateRequest request, ServerCallContext context)
    {
        await sidecar.StateApi.DeleteAsync(request.StoreName, new StateDelete(request.Key, ETag(request.Etag), ToConcurrency(request.Options)), context.CancellationToken);
        return Empty;
    }

    private async Task<IMessage> DeleteBulkStateAsync(DeleteBulkStateRequest request, ServerCallContext context)
    {
        var deletes = request.States.Select(s => new StateDelete(s.Key, ETag(s.Etag), ToConcurrency(s.Options))).ToList();
        await sidecar.StateApi.DeleteBulkAsync(request.StoreName, deletes, context.CancellationToken);
        return Empty;
    }

    private async Task<IMessage> ExecuteStateTransactionAsync(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        sidecar.StateApi.Store(request.StoreName);
        var operations = request.Operations.Select(op =>
        {
            var item = op.Request ?? new StateItem();
            return op.OperationType switch
            {
                "upsert" => new StateOperation(new StateWrite(item.Key, item.Value.ToByteArray(), ETag(item.Etag), ToConcurrency(item.Options), item.Metadata), null),
                "delete" => new StateOperation(null, new StateDelete(item.Key, ETag(item.Etag), ToConcurrency(item.Options))),
                var other => throw new DaprError(500, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {other} not supported", grpcCode: StatusCode.Unimplemented),
            };
        }).ToList();
        await sidecar.StateApi.TransactAsync(request.StoreName, operations, context.CancellationToken);
        return Empty;
    }

    private async Task<IMessage> PublishEventAsync(PublishEventRequest request, ServerCallContext context)
    {
        var contentType = request.DataContentType is { Length: > 0 } type ? type : null;
        await sidecar.PublishApi.PublishAsync(request.PubsubName, request.Topic, request.Data.ToByteArray(), contentType, request.Metadata, context.CancellationToken);
        return Empty;
    }

    private async Task<IMessage> BulkPublishEventAsync(BulkPublishRequest request, ServerCallContext context)
    {
        var entries = request.Entries
            .Select(e => new BulkPublishEntry(e.EntryId, e.Event.ToByteArray(), e.ContentType is { Length: > 0 } t ? t : null, e.Metadata))
            .ToList();
        var failed = await sidecar.PublishApi.BulkPublishAsync(request.PubsubName, request.Topic, entries, request.Metadata, context.CancellationToken);
        var response = new BulkPublishResponse();
        response.FailedEntries.AddRange(failed.Select(f => new BulkPublishResponseFailedEntry { EntryId = f.EntryId, Error = f.Error }));
        return response;
    }

    /// <summary>The deprecated InvokeService toward an HTTP app: the verb from http_extension (POST when none), the Any's bytes as the body.</summary>
    private async Task<IMessage> InvokeServiceAsync(InvokeServiceRequest request, ServerCallContext context)
    {
        var message = request.Message ?? new InvokeRequest();
        var verb = message.HttpExtension?.Verb is { } v and not HTTPExtension.Types.Verb.None ? v.ToString().ToUpperInvariant() : "POST";
        var query = message.HttpExtension?.Querystring is { Length: > 0 } q ? "?" + q.TrimStart('?') : "";
        var headers = context.RequestHeaders
            .Where(h => !h.IsBinary && !h.Key.StartsWith(':') && h.Key is not ("content-type" or "te" or "grpc-accept-encoding" or "grpc-encoding" or "grpc-timeout" or "user-agent"))
            .Select(h => KeyValuePair.Create(h.Key, new[] { h.Value }))
            .ToList();
        var http = context.GetHttpContext();
        var reply = await sidecar.InvokeApi.InvokeAsync(new AppInvocation(
            request.Id, verb, message.Method, query, message.Data?.Value.ToByteArray() ?? [], message.ContentType is { Length: > 0 } ct ? ct : null, headers,
            http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1", http.Request.Host.Value ?? ""), context.CancellationToken);

        var contentType = reply.Headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() ?? "";
        await context.WriteResponseHeadersAsync(new Metadata { { "dapr-http-status", reply.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        if (reply.Status is < 200 or >= 300)
        {
            // invokev1.ErrorFromHTTPResponseCode: the status text and the body as the detail.
            throw GrpcErrorDetails.FromHttpStatus(reply.Status, ReasonPhrase(reply.Status), Encoding.UTF8.GetString(reply.Body));
        }

        return new InvokeResponse { Data = new Any { Value = ByteString.CopyFrom(reply.Body) }, ContentType = contentType };
    }

    private Task<IMessage> GetSecretAsync(GetSecretRequest request, ServerCallContext context)
    {
        var response = new GetSecretResponse();
        response.Data.Add(sidecar.SecretsApi.Get(request.StoreName, request.Key).ToDictionary());
        return Task.FromResult<IMessage>(response);
    }

    private Task<IMessage> GetBulkSecretAsync(GetBulkSecretRequest request, ServerCallContext context)
    {
        var response = new GetBulkSecretResponse();
        foreach (var (name, values) in sidecar.SecretsApi.GetBulk(request.StoreName))
        {
            var secret = new SecretResponse();
            secret.Secrets.Add(values.ToDictionary());
            response.Data[name] = secret;
        }

        return Task.FromResult<IMessage>(response);
    }

    private Task<IMessage> GetMetadataAsync(GetMetadataRequest request, ServerCallContext context)
    {
        var m = sidecar.MetadataApi.Get();
        var response = new GetMetadataResponse
        {
            Id = m.AppId,
            RuntimeVersion = m.RuntimeVersion,
            AppConnectionProperties = new AppConnectionProperties { Port = m.AppPort, Protocol = m.AppProtocol, ChannelAddress = m.AppChannelAddress },
            ActorRuntime = new ActorRuntime
            {
                RuntimeStatus = ActorRuntime.Types.ActorRuntimeStatus.Running,
                HostReady = m.ActorHostReady,
                Placement = "connected",
            },
        };
        response.EnabledFeatures.AddRange(m.EnabledFeatures);
        response.ExtendedMetadata.Add(m.Extended.ToDictionary());
        foreach (var actor in m.ActiveActors)
        {
            response.ActorRuntime.ActiveActors.Add(new ActiveActorsCount { Type = actor.Type, Count = actor.Count });
#pragma warning disable CS0612 // still filled by daprd 1.16 for older SDKs
            response.ActiveActorsCount.Add(new ActiveActorsCount { Type = actor.Type, Count = actor.Count });
#pragma warning restore CS0612
        }

        foreach (var c in m.Components)
        {
            var component = new RegisteredComponents { Name = c.Name, Type = c.Type, Version = c.Version };
            component.Capabilities.AddRange(c.Capabilities);
            response.RegisteredComponents.Add(component);
        }

        foreach (var s in m.Subscriptions)
        {
            var subscription = new PubsubSubscription
            {
                PubsubName = s.PubSubName,
                Topic = s.Topic,
                DeadLetterTopic = s.DeadLetterTopic ?? "",
                Rules = new PubsubSubscriptionRules(),
                Type = s.Type == "DECLARATIVE" ? PubsubSubscriptionType.Declarative : PubsubSubscriptionType.Programmatic,
            };
            subscription.Metadata.Add(s.Metadata.ToDictionary());
            subscription.Rules.Rules.AddRange(s.Rules.Select(r => new PubsubSubscriptionRule { Match = r.Match ?? "", Path = r.Path }));
            response.Subscriptions.Add(subscription);
        }

        return Task.FromResult<IMessage>(response);
    }

    private Task<IMessage> SetMetadataAsync(SetMetadataRequest request, ServerCallContext context)
    {
        sidecar.MetadataApi.Set(request.Key, request.Value);
        return Task.FromResult<IMessage>(Empty);
    }

    private Task<IMessage> ShutdownAsync(ShutdownRequest request, ServerCallContext context)
    {
        sidecar.MetadataApi.Shutdown();
        return Task.FromResult<IMessage>(Empty);
    }

    /// <summary>daprd keeps an ETag message that is present, even empty; local stores treat an empty one as none.</summary>
    private static string? ETag(Etag? etag) => etag is { Value.Length: > 0 } ? etag.Value : null;

    private static State.Concurrency ToConcurrency(StateOptions? options) => options?.Concurrency switch
    {
        StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite => State.Concurrency.FirstWrite,
        StateOptions.Types.StateConcurrency.ConcurrencyLastWrite => State.Concurrency.LastWrite,
        _ => State.Concurrency.Unspecified,
    };

    private static void AddExpiry(Google.Protobuf.Collections.MapField<string, string> metadata, State.StateItem item)
    {
        if (item.ExpireTime is { } expires)
        {
            metadata["ttlExpireTime"] = StateApi.ExpireTimeText(expires);
        }
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
