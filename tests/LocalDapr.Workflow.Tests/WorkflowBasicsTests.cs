using Dapr.Workflow;
using LocalDapr.Workflow.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Workflow.Tests;

/// <summary>The official Dapr.Workflow 1.19 worker and client against the local runtime's engine.</summary>
public abstract class WorkflowBasicsTests(Profile profile) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private WorkflowWorld _world = null!;

    private DaprWorkflowClient Client => _world.Client;

    public async ValueTask InitializeAsync() => _world = await WorkflowWorld.StartAsync(profile);

    public async ValueTask DisposeAsync()
    {
        await _world.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static string NewId() => "wf-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<WorkflowState> RunAsync(string name, object? input, string? id = null)
    {
        id ??= NewId();
        await Client.ScheduleNewWorkflowAsync(name, id, input);
        using var cts = new CancellationTokenSource(Patience);
        return await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
    }

    [Fact]
    public async Task Activities_in_sequence_each_get_the_previous_result_and_run_once()
    {
        var key = NewId();
        var state = await RunAsync(nameof(SequenceWorkflow), key);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(key + "1+2+3+", state.ReadOutputAs<string>());
        Assert.Equal(1, TestWorkflows.Count("append:" + key + "1"));
        Assert.Equal(1, TestWorkflows.Count("append:" + key + "1+2"));
        Assert.Equal(1, TestWorkflows.Count("append:" + key + "1+2+3"));
    }

    [Fact]
    public async Task A_retry_policy_reruns_a_failing_activity_until_its_third_attempt_succeeds()
    {
        var key = NewId();
        var state = await RunAsync(nameof(RetryWorkflow), key);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(key + " ok on 3", state.ReadOutputAs<string>());
        Assert.Equal(3, TestWorkflows.Count("flaky:" + key));
    }

    [Fact]
    public async Task The_instance_state_shows_name_input_output_and_times()
    {
        var id = NewId();
        await RunAsync(nameof(SequenceWorkflow), "x", id);
        var state = await Client.GetWorkflowStateAsync(id, true);

        Assert.NotNull(state);
        Assert.True(state.Exists);
        Assert.Equal("x", state.ReadInputAs<string>());
        Assert.Equal("x1+2+3+", state.ReadOutputAs<string>());
        Assert.True(state.LastUpdatedAt >= state.CreatedAt);
        Assert.False((await Client.GetWorkflowStateAsync("no-such-" + id, false))?.Exists ?? false);
    }

    [Fact]
    public async Task Fan_out_of_100_activities_fans_in_to_their_sum()
    {
        var state = await RunAsync(nameof(FanOutWorkflow), 100);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(Enumerable.Range(1, 100).Sum(i => i * i), state.ReadOutputAs<int>());
    }

    [Fact]
    public async Task A_timer_delays_the_workflow_by_its_duration()
    {
        var state = await RunAsync(nameof(TimerWorkflow), 500);

        Assert.Equal("waited", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task An_event_raised_after_the_workflow_waits_resumes_it()
    {
        var id = NewId();
        await Client.ScheduleNewWorkflowAsync(nameof(EventWorkflow), id, "e");
        await DaprChat.Testing.Eventually.TrueAsync(async () => (await Client.GetWorkflowStateAsync(id, false))?.RuntimeStatus == WorkflowRuntimeStatus.Running
            && TestWorkflows.Count("append:e") > 0, Patience, "the workflow reaches its wait");
        await Client.RaiseEventAsync(id, "approve", "yes");
        using var cts = new CancellationTokenSource(Patience);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);

        Assert.Equal("e+yes", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task An_event_raised_before_the_workflow_waits_is_buffered_for_it()
    {
        var id = NewId();
        await Client.ScheduleNewWorkflowAsync(nameof(EventWorkflow), id, "early", DateTimeOffset.UtcNow.AddMilliseconds(700));
        await Client.RaiseEventAsync(id, "approve", "first");
        using var cts = new CancellationTokenSource(Patience);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);

        Assert.Equal("early+first", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Waiting_for_an_event_that_never_comes_times_out()
    {
        var state = await RunAsync(nameof(EventTimeoutWorkflow), "t");

        Assert.Equal("timeout", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task A_child_workflow_runs_under_its_own_id_and_returns_to_the_parent()
    {
        var id = NewId();
        var state = await RunAsync(nameof(ParentWorkflow), "c", id);

        Assert.Equal("parent(c1+2+3+)", state.ReadOutputAs<string>());
        var child = await Client.GetWorkflowStateAsync(id + "-child", true);
        Assert.Equal(WorkflowRuntimeStatus.Completed, child!.RuntimeStatus);
    }

    [Fact]
    public async Task Continue_as_new_restarts_the_workflow_with_the_new_input()
    {
        var state = await RunAsync(nameof(CounterWorkflow), 0);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(3, state.ReadOutputAs<int>());
    }

    [Fact]
    public async Task A_failing_activity_surfaces_as_an_exception_the_workflow_catches()
    {
        var state = await RunAsync(nameof(CatchWorkflow), "z");

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Contains("boom: z", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Starting_an_id_that_is_still_running_is_refused_and_a_finished_one_is_recreated()
    {
        var id = NewId();
        await Client.ScheduleNewWorkflowAsync(nameof(EventWorkflow), id, "dup");
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Client.ScheduleNewWorkflowAsync(nameof(EventWorkflow), id, "dup"));
        Assert.Contains($"an active workflow with ID '{id}' already exists", ex.ToString());

        await Client.TerminateWorkflowAsync(id);
        using var cts = new CancellationTokenSource(Patience);
        Assert.Equal(WorkflowRuntimeStatus.Terminated, (await Client.WaitForWorkflowCompletionAsync(id, false, cts.Token)).RuntimeStatus);
        var state = await RunAsync(nameof(SequenceWorkflow), "again", id);
        Assert.Equal("again1+2+3+", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Suspend_holds_an_event_until_resume_and_purge_deletes_only_finished_instances()
    {
        var id = NewId();
        await Client.ScheduleNewWorkflowAsync(nameof(EventWorkflow), id, "s");
        await DaprChat.Testing.Eventually.TrueAsync(() => TestWorkflows.Count("append:s") > 0, Patience, "the workflow reaches its wait");
        await Client.SuspendWorkflowAsync(id);
        Assert.Equal(WorkflowRuntimeStatus.Suspended, (await Client.GetWorkflowStateAsync(id, false))!.RuntimeStatus);
        await Assert.ThrowsAnyAsync<Exception>(() => Client.PurgeInstanceAsync(id));
        await Client.RaiseEventAsync(id, "approve", "later");
        Assert.Equal(WorkflowRuntimeStatus.Suspended, (await Client.GetWorkflowStateAsync(id, false))!.RuntimeStatus);

        await Client.ResumeWorkflowAsync(id);
        using var cts = new CancellationTokenSource(Patience);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
        Assert.Equal("s+later", state.ReadOutputAs<string>());

        Assert.True(await Client.PurgeInstanceAsync(id));
        Assert.False((await Client.GetWorkflowStateAsync(id, false))?.Exists ?? false);
    }
}

public sealed class InMemoryWorkflowTests() : WorkflowBasicsTests(Profile.Memory);
