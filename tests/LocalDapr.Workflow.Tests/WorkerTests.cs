using Dapr.Workflow;
using DaprChat.Testing;
using LocalDapr.Workflow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace LocalDapr.Workflow.Tests;

/// <summary>Workers of one app share the work, and a worker that goes away loses none of it.</summary>
public sealed class WorkerTests : IAsyncLifetime
{
    private WorkflowWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await WorkflowWorld.StartAsync(Profile.Memory);

    public async ValueTask DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_activity_whose_worker_disconnects_is_handed_to_the_next_worker()
    {
        var id = "stuck-" + Guid.NewGuid().ToString("N")[..8];
        var first = _world.FirstWorker;
        await _world.Client.ScheduleNewWorkflowAsync(nameof(StuckOnceWorkflow), id, id);
        await Eventually.TrueAsync(() => TestWorkflows.Count("stuck:" + id) == 1, TimeSpan.FromSeconds(60), "the first worker runs the activity");

        var second = await _world.StartWorkerAsync();
        var client = second.Services.GetRequiredService<DaprWorkflowClient>();
        await _world.StopWorkerAsync(first);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var state = await client.WaitForWorkflowCompletionAsync(id, true, cts.Token);

        Assert.Equal(id + " done on 2", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Two_workers_of_one_app_complete_a_fan_out_together()
    {
        await _world.StartWorkerAsync();
        var id = "fan-" + Guid.NewGuid().ToString("N")[..8];
        await _world.Client.ScheduleNewWorkflowAsync(nameof(FanOutWorkflow), id, 50);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var state = await _world.Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);

        Assert.Equal(Enumerable.Range(1, 50).Sum(i => i * i), state.ReadOutputAs<int>());
    }
}
