using Dapr.DurableTask.Protobuf;
using Google.Protobuf;
using Grpc.Core;
using LocalDapr.Grpc;
using LocalDapr.Hosting;
using Empty = Google.Protobuf.WellKnownTypes.Empty;

namespace LocalDapr.Workflows;

/// <summary>
/// TaskHubSidecarService (no proto package) bound from Dapr.Workflow.Grpc's own descriptor onto the workflow engine
/// of the sidecar's app id, beside the Dapr API and behind the same token check, as daprd's RegisterGrpcServer does.
/// </summary>
internal sealed class WorkflowGrpcApi(WorkflowEngine engine)
{
    public static GrpcServiceBinding Bind(Sidecar sidecar)
    {
        var engine = sidecar.Cluster.Workflows(sidecar);
        var api = new WorkflowGrpcApi(engine);
        return new GrpcServiceBinding(OrchestratorServiceReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("TaskHubSidecarService"))
            .Unary<Empty>("Hello", (_, _) => Task.FromResult<IMessage>(new Empty()))
            .Unary<CreateInstanceRequest>("StartInstance", api.StartAsync)
            .Unary<GetInstanceRequest>("GetInstance", api.GetAsync)
            .Unary<GetInstanceRequest>("WaitForInstanceStart", (r, c) => api.WaitAsync(r, s => s != OrchestrationStatus.Pending, c))
            .Unary<GetInstanceRequest>("WaitForInstanceCompletion", (r, c) => api.WaitAsync(r, IsTerminal, c))
            .Unary<RaiseEventRequest>("RaiseEvent", (r, _) => Run(() => engine.RaiseEvent(r.InstanceId, r.Name, r.Input), new RaiseEventResponse()))
            .Unary<TerminateRequest>("TerminateInstance", (r, _) => Run(() => engine.Terminate(r.InstanceId, r.Output, r.Recursive), new TerminateResponse()))
            .Unary<SuspendRequest>("SuspendInstance", (r, _) => Run(() => engine.Suspend(r.InstanceId), new SuspendResponse()))
            .Unary<ResumeRequest>("ResumeInstance", (r, _) => Run(() => engine.Resume(r.InstanceId), new ResumeResponse()))
            .Unary<PurgeInstancesRequest>("PurgeInstances", api.PurgeAsync)
            .ServerStreaming("GetWorkItems", (_, responses, context) => engine.ServeAsync(item => responses.WriteAsync(item), context.CancellationToken))
            .Unary<ActivityResponse>("CompleteActivityTask", (r, _) => Run(() => engine.CompleteActivity(r), new CompleteTaskResponse()))
            .Unary<WorkflowResponse>("CompleteOrchestratorTask", (r, _) => Run(() => engine.CompleteTurn(r), new CompleteTaskResponse()))
            .Unary<WorkflowResponse>("CompleteWorkflowTask", (r, _) => Run(() => engine.CompleteTurn(r), new CompleteTaskResponse()));
    }

    private static bool IsTerminal(OrchestrationStatus s) =>
        s is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;

    private Task<IMessage> StartAsync(CreateInstanceRequest request, ServerCallContext context) =>
        Run(() => { }, new CreateInstanceResponse { InstanceId = engine.StartChecked(request) });

    private Task<IMessage> GetAsync(GetInstanceRequest request, ServerCallContext context)
    {
        var state = engine.Get(request.InstanceId, request.GetInputsAndOutputs);
        return Task.FromResult<IMessage>(state is null ? new GetInstanceResponse { Exists = false } : new GetInstanceResponse { Exists = true, WorkflowState = state });
    }

    private async Task<IMessage> WaitAsync(GetInstanceRequest request, Func<OrchestrationStatus, bool> done, ServerCallContext context)
    {
        var state = await engine.WaitAsync(request.InstanceId, request.GetInputsAndOutputs, done, context.CancellationToken);
        return state is null ? new GetInstanceResponse { Exists = false } : new GetInstanceResponse { Exists = true, WorkflowState = state };
    }

    private Task<IMessage> PurgeAsync(PurgeInstancesRequest request, ServerCallContext context)
    {
        if (request.RequestCase != PurgeInstancesRequest.RequestOneofCase.InstanceId)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, "purging by filter is not supported"));
        }

        return Run(() => { }, new PurgeInstancesResponse { DeletedInstanceCount = engine.PurgeChecked(request.InstanceId, request.Recursive) });
    }

    private static Task<IMessage> Run(Action action, IMessage response)
    {
        try
        {
            action();
        }
        catch (WorkflowException ex)
        {
            throw ToRpc(ex);
        }

        return Task.FromResult(response);
    }

    public static RpcException ToRpc(WorkflowException ex) =>
        new(new Status(ex.NotFound ? StatusCode.NotFound : StatusCode.Unknown, ex.Message));
}
