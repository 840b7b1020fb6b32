using System.Collections.Concurrent;
using Dapr.Workflow;

namespace LocalDapr.Workflow.Tests.Infrastructure;

/// <summary>The workflows and activities the tests drive; activities count their executions per input.</summary>
public static class TestWorkflows
{
    public static ConcurrentDictionary<string, int> Executions { get; } = new(StringComparer.Ordinal);

    public static int Count(string key) => Executions.GetValueOrDefault(key);

    public static void Register(WorkflowRuntimeOptions options)
    {
        options.RegisterWorkflow<SequenceWorkflow>();
        options.RegisterWorkflow<RetryWorkflow>();
        options.RegisterWorkflow<FanOutWorkflow>();
        options.RegisterWorkflow<TimerWorkflow>();
        options.RegisterWorkflow<EventWorkflow>();
        options.RegisterWorkflow<EventTimeoutWorkflow>();
        options.RegisterWorkflow<ParentWorkflow>();
        options.RegisterWorkflow<CounterWorkflow>();
        options.RegisterWorkflow<CatchWorkflow>();
        options.RegisterWorkflow<TimerSandwichWorkflow>();
        options.RegisterWorkflow<StuckOnceWorkflow>();
        options.RegisterActivity<StuckOnceActivity>();
        options.RegisterActivity<AppendActivity>();
        options.RegisterActivity<FlakyActivity>();
        options.RegisterActivity<SquareActivity>();
        options.RegisterActivity<FailActivity>();
    }
}

public sealed class AppendActivity : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        TestWorkflows.Executions.AddOrUpdate("append:" + input, 1, (_, n) => n + 1);
        return Task.FromResult(input + "+");
    }
}

/// <summary>Fails until its third attempt for a given key.</summary>
public sealed class FlakyActivity : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        var attempt = TestWorkflows.Executions.AddOrUpdate("flaky:" + input, 1, (_, n) => n + 1);
        return attempt < 3 ? throw new InvalidOperationException($"attempt {attempt} fails") : Task.FromResult($"{input} ok on {attempt}");
    }
}

public sealed class SquareActivity : WorkflowActivity<int, int>
{
    public override Task<int> RunAsync(WorkflowActivityContext context, int input) => Task.FromResult(input * input);
}

public sealed class FailActivity : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input) => throw new InvalidOperationException("boom: " + input);
}

public sealed class SequenceWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var a = await context.CallActivityAsync<string>(nameof(AppendActivity), input + "1");
        var b = await context.CallActivityAsync<string>(nameof(AppendActivity), a + "2");
        return await context.CallActivityAsync<string>(nameof(AppendActivity), b + "3");
    }
}

public sealed class RetryWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) =>
        context.CallActivityAsync<string>(nameof(FlakyActivity), input, new WorkflowTaskOptions(new WorkflowRetryPolicy(5, TimeSpan.FromMilliseconds(100))));
}

public sealed class FanOutWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int input)
    {
        var results = await Task.WhenAll(Enumerable.Range(1, input).Select(i => context.CallActivityAsync<int>(nameof(SquareActivity), i)));
        return results.Sum();
    }
}

public sealed class TimerWorkflow : Workflow<int, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, int input)
    {
        var before = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromMilliseconds(input));
        return context.CurrentUtcDateTime - before >= TimeSpan.FromMilliseconds(input) ? "waited" : "early";
    }
}

public sealed class EventWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var first = await context.CallActivityAsync<string>(nameof(AppendActivity), input);
        var approval = await context.WaitForExternalEventAsync<string>("approve");
        return first + approval;
    }
}

public sealed class EventTimeoutWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        try
        {
            return await context.WaitForExternalEventAsync<string>("never", TimeSpan.FromMilliseconds(300));
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }
}

public sealed class ParentWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var child = await context.CallChildWorkflowAsync<string>(nameof(SequenceWorkflow), input, new ChildWorkflowTaskOptions(context.InstanceId + "-child"));
        return "parent(" + child + ")";
    }
}

public sealed class CounterWorkflow : Workflow<int, int>
{
    public override Task<int> RunAsync(WorkflowContext context, int input)
    {
        if (input < 3)
        {
            context.ContinueAsNew(input + 1);
        }

        return Task.FromResult(input);
    }
}

public sealed class CatchWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        try
        {
            return await context.CallActivityAsync<string>(nameof(FailActivity), input);
        }
        catch (WorkflowTaskFailedException ex)
        {
            return "caught " + ex.FailureDetails.ErrorType + ": " + ex.FailureDetails.ErrorMessage;
        }
    }
}

public sealed class TimerSandwichWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var a = await context.CallActivityAsync<string>(nameof(AppendActivity), input);
        await context.CreateTimer(TimeSpan.FromSeconds(3));
        return await context.CallActivityAsync<string>(nameof(AppendActivity), a);
    }
}

/// <summary>Its first execution per key never finishes, as on a worker that dies mid-activity.</summary>
public sealed class StuckOnceActivity : WorkflowActivity<string, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        var attempt = TestWorkflows.Executions.AddOrUpdate("stuck:" + input, 1, (_, n) => n + 1);
        if (attempt == 1)
        {
            await new TaskCompletionSource().Task;
        }

        return $"{input} done on {attempt}";
    }
}

public sealed class StuckOnceWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) => context.CallActivityAsync<string>(nameof(StuckOnceActivity), input);
}
