using Dapr.Workflow;
using DaprChat.Testing;
using LocalDapr.Workflow.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Workflow.Tests;

public sealed class RedisWorkflowTests() : WorkflowBasicsTests(Profile.Redis);

/// <summary>With the Redis profile, instances live in the actor state store and outlive the runtime.</summary>
public sealed class WorkflowRestartTests : IAsyncLifetime
{
    private WorkflowWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await WorkflowWorld.StartAsync(Profile.Redis);

    public async ValueTask DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_workflow_waiting_on_a_timer_completes_once_after_the_runtime_restarts()
    {
        var id = "restart-" + Guid.NewGuid().ToString("N")[..8];
        await _world.Client.ScheduleNewWorkflowAsync(nameof(TimerSandwichWorkflow), id, id);
        await Eventually.TrueAsync(() => TestWorkflows.Count("append:" + id) == 1, TimeSpan.FromSeconds(60), "the first activity ran");

        await _world.RestartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var state = await _world.Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(id + "++", state.ReadOutputAs<string>());
        Assert.Equal(1, TestWorkflows.Count("append:" + id));
        Assert.Equal(1, TestWorkflows.Count("append:" + id + "+"));
    }

    [Fact]
    public async Task A_finished_instance_is_still_readable_after_the_runtime_restarts()
    {
        var id = "kept-" + Guid.NewGuid().ToString("N")[..8];
        await _world.Client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), id, "k");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _world.Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);

        await _world.RestartAsync();
        var state = await _world.Client.GetWorkflowStateAsync(id, true);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state!.RuntimeStatus);
        Assert.Equal("k1+2+3+", state.ReadOutputAs<string>());
    }
}
