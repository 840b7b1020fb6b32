using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.DurableTask.Protobuf;
using LocalDapr.Api;
using LocalDapr.Workflows;

namespace LocalDapr.Http;

/// <summary>
/// daprd's workflow management API (pkg/http: /v1.0/workflows/dapr/...), on the same engine the gRPC
/// TaskHubSidecarService serves: start answers 202 {"instanceID"}, the other writes 202, get the instance as JSON.
/// </summary>
internal sealed partial class DaprHttpApi
{
    private async Task<bool> RouteWorkflowsAsync(HttpContext context, string[] s, string method)
    {
        if (method != "POST" && method != "GET")
        {
            return false;
        }

        var engine = sidecar.Cluster.Workflows(sidecar);
        try
        {
            switch (s)
            {
                case ["v1.0" or "v1.0-beta1", "workflows", _, var name, "start"] when method == "POST":
                    var body = await ReadBodyAsync(context);
                    var request = new CreateInstanceRequest { Name = Uri.UnescapeDataString(name), InstanceId = context.Request.Query["instanceID"].FirstOrDefault() ?? "" };
                    if (body.Length > 0)
                    {
                        request.Input = System.Text.Encoding.UTF8.GetString(body);
                    }

                    var id = engine.Start(request);
                    await WriteJsonAsync(context, 202, JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["instanceID"] = id }));
                    return true;
                case ["v1.0" or "v1.0-beta1", "workflows", _, var instance] when method == "GET":
                    var state = engine.Get(Uri.UnescapeDataString(instance), withPayloads: true)
                        ?? throw new DaprError(500, "ERR_GET_WORKFLOW", $"unable to get workflow metadata: no such instance exists: '{Uri.UnescapeDataString(instance)}'");
                    await WriteJsonAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(WorkflowJson(state)));
                    return true;
                case ["v1.0" or "v1.0-beta1", "workflows", _, var instance, "raiseEvent", var eventName] when method == "POST":
                    var data = await ReadBodyAsync(context);
                    engine.RaiseEvent(Uri.UnescapeDataString(instance), Uri.UnescapeDataString(eventName), data.Length > 0 ? System.Text.Encoding.UTF8.GetString(data) : null);
                    break;
                case ["v1.0" or "v1.0-beta1", "workflows", _, var instance, "terminate"] when method == "POST":
                    engine.Terminate(Uri.UnescapeDataString(instance), null, recursive: true);
                    break;
                case ["v1.0" or "v1.0-beta1", "workflows", _, var instance, "pause"] when method == "POST":
                    engine.Suspend(Uri.UnescapeDataString(instance));
                    break;
                case ["v1.0" or "v1.0-beta1", "workflows", _, var instance, "resume"] when method == "POST":
                    engine.Resume(Uri.UnescapeDataString(instance));
                    break;
                case ["v1.0" or "v1.0-beta1", "workflows", _, var instance, "purge"] when method == "POST":
                    engine.Purge(Uri.UnescapeDataString(instance), recursive: true);
                    break;
                default:
                    return false;
            }
        }
        catch (WorkflowException ex)
        {
            throw new DaprError(ex.NotFound ? 404 : 500, ex.NotFound ? "ERR_INSTANCE_ID_NOT_FOUND" : "ERR_WORKFLOW", ex.Message);
        }

        context.Response.StatusCode = 202;
        return true;
    }

    /// <summary>The shape of daprd's GET /v1.0/workflows/dapr/{id}: payloads as properties, statuses without their prefix.</summary>
    private static JsonObject WorkflowJson(WorkflowState state)
    {
        var properties = new JsonObject();
        if (state.Input is not null)
        {
            properties["dapr.workflow.input"] = state.Input;
        }

        if (state.Output is not null)
        {
            properties["dapr.workflow.output"] = state.Output;
        }

        if (state.CustomStatus is not null)
        {
            properties["dapr.workflow.custom_status"] = state.CustomStatus;
        }

        if (state.FailureDetails is { } failure)
        {
            properties["dapr.workflow.failure.error_type"] = failure.ErrorType;
            properties["dapr.workflow.failure.error_message"] = failure.ErrorMessage;
        }

        return new JsonObject
        {
            ["instanceID"] = state.InstanceId,
            ["workflowName"] = state.Name,
            ["createdAt"] = state.CreatedTimestamp.ToDateTimeOffset().ToString("O"),
            ["lastUpdatedAt"] = state.LastUpdatedTimestamp.ToDateTimeOffset().ToString("O"),
            ["runtimeStatus"] = state.WorkflowStatus.ToString() switch
            {
                "ContinuedAsNew" => "CONTINUED_AS_NEW",
                var other => other.ToUpperInvariant(),
            },
            ["properties"] = properties,
        };
    }
}
