using System.Threading.Channels;
using Dapr.DurableTask.Protobuf;
using Google.Protobuf.WellKnownTypes;
using LocalDapr.State;

namespace LocalDapr.Workflows;

/// <summary>
/// The workflow engine of one app id (daprd's workflows are per app id too): instances with their histories, and the
/// work items the app's workers pull over GetWorkItems. One lock guards all state; one turn per instance is in flight
/// at a time, and a turn's actions are recorded into history before their effects (activities, timers, children) are
/// dispatched, as durabletask-go's backend does.
/// </summary>
public sealed class WorkflowEngine(string appId, TimeProvider time, IStateStore? store) : IAsyncDisposable
{
    private readonly WorkflowStore? _store = store is null ? null : new WorkflowStore(store, appId);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkflowRun> _runs = new(StringComparer.Ordinal);
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>();
    private readonly Dictionary<string, (WorkItem Item, object Worker)> _outstanding = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string AppId { get; } = appId;

    public int Count(OrchestrationStatus status)
    {
        lock (_gate)
        {
            return _runs.Values.Count(r => r.Status == status);
        }
    }

    /// <summary>Takes back every instance the store holds: inboxes are dispatched, pending timers re-armed, unfinished activities handed out again.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        var runs = await _store.LoadAsync(cancellationToken);
        lock (_gate)
        {
            foreach (var run in runs)
            {
                _runs[run.Id] = run;
            }

            foreach (var run in runs.Where(r => !r.IsTerminal))
            {
                var seen = run.History.Concat(run.Inbox).ToList();
                var fired = seen.Where(e => e.TimerFired is not null).Select(e => e.TimerFired.TimerId).ToHashSet();
                foreach (var timer in run.History.Where(e => e.TimerCreated is not null && !fired.Contains(e.EventId)))
                {
                    StartTimer(run.Id, run.ExecutionId, timer.EventId, timer.TimerCreated.FireAt);
                }

                var done = seen.Select(e => e.TaskCompleted?.TaskScheduledId ?? e.TaskFailed?.TaskScheduledId).OfType<int>().ToHashSet();
                foreach (var task in run.History.Where(e => e.TaskScheduled is not null && !done.Contains(e.EventId) && !run.CompletedTasks.Contains(e.EventId)))
                {
                    _queue.Writer.TryWrite(new WorkItem { ActivityRequest = ActivityItem(run, task.EventId, task.TaskScheduled) });
                }

                Dispatch(run);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_store is not null)
        {
            await _store.FlushAsync();
        }
    }

    // ---- client side ----

    public string StartChecked(CreateInstanceRequest request) => Checked(() => Start(request));

    public int PurgeChecked(string id, bool recursive) => Checked(() => Purge(id, recursive));

    private static T Checked<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (WorkflowException ex)
        {
            throw WorkflowGrpcApi.ToRpc(ex);
        }
    }

    public string Start(CreateInstanceRequest request)
    {
        var id = string.IsNullOrEmpty(request.InstanceId) ? Guid.NewGuid().ToString("N") : request.InstanceId;
        lock (_gate)
        {
            if (_runs.TryGetValue(id, out var existing) && !existing.IsTerminal)
            {
                throw new WorkflowException($"an active workflow with ID '{id}' already exists");
            }

            var start = request.ScheduledStartTimestamp?.ToDateTimeOffset();
            var run = NewRun(id, request.Name, request.Input, null, start);
            Enqueue(run, ExecutionStarted(run, start));
        }

        return id;
    }

    private WorkflowRun NewRun(string id, string name, string? input, ParentInstanceInfo? parent, DateTimeOffset? start)
    {
        var now = time.GetUtcNow();
        var run = new WorkflowRun(id, name) { Input = input, Created = now, LastUpdated = now, Parent = parent, ScheduledStart = start };
        _runs[id] = run;
        _store?.SaveIndex(_runs.Keys);
        Touch(run);
        return run;
    }

    private HistoryEvent ExecutionStarted(WorkflowRun run, DateTimeOffset? start)
    {
        var started = new ExecutionStartedEvent
        {
            Name = run.Name,
            WorkflowInstance = new WorkflowInstance { InstanceId = run.Id, ExecutionId = run.ExecutionId },
            ParentInstance = run.Parent,
        };
        if (run.Input is not null)
        {
            started.Input = run.Input;
        }

        if (start is { } s)
        {
            started.ScheduledStartTimestamp = Timestamp.FromDateTimeOffset(s);
        }

        return Event(-1, e => e.ExecutionStarted = started);
    }

    public WorkflowState? Get(string id, bool withPayloads)
    {
        lock (_gate)
        {
            return _runs.TryGetValue(id, out var run) ? State(run, withPayloads) : null;
        }
    }

    public async Task<WorkflowState?> WaitAsync(string id, bool withPayloads, Func<OrchestrationStatus, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (!_runs.TryGetValue(id, out var run))
                {
                    return null;
                }

                if (done(run.Status))
                {
                    return State(run, withPayloads);
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public void RaiseEvent(string id, string name, string? input)
    {
        lock (_gate)
        {
            var run = Find(id);
            if (run.IsTerminal)
            {
                return;
            }

            var raised = new EventRaisedEvent { Name = name };
            if (input is not null)
            {
                raised.Input = input;
            }

            Enqueue(run, Event(-1, e => e.EventRaised = raised));
        }
    }

    public void Terminate(string id, string? output, bool recursive)
    {
        lock (_gate)
        {
            TerminateLocked(Find(id), output, recursive);
        }
    }

    private void TerminateLocked(WorkflowRun run, string? output, bool recursive)
    {
        if (run.IsTerminal)
        {
            return;
        }

        var terminated = new ExecutionTerminatedEvent { Recurse = recursive };
        if (output is not null)
        {
            terminated.Input = output;
        }

        run.History.Add(Event(-1, e => e.ExecutionTerminated = terminated));
        Finish(run, OrchestrationStatus.Terminated, output, null);
        if (recursive)
        {
            foreach (var child in run.Children)
            {
                if (_runs.TryGetValue(child, out var c))
                {
                    TerminateLocked(c, output, true);
                }
            }
        }
    }

    public void Suspend(string id)
    {
        lock (_gate)
        {
            var run = Find(id);
            if (run.IsTerminal || run.Suspended)
            {
                return;
            }

            run.Suspended = true;
            run.Status = OrchestrationStatus.Suspended;
            run.History.Add(Event(-1, e => e.ExecutionSuspended = new ExecutionSuspendedEvent()));
            Touch(run);
        }
    }

    public void Resume(string id)
    {
        lock (_gate)
        {
            var run = Find(id);
            if (!run.Suspended)
            {
                return;
            }

            run.Suspended = false;
            run.Status = OrchestrationStatus.Running;
            run.History.Add(Event(-1, e => e.ExecutionResumed = new ExecutionResumedEvent()));
            Touch(run);
            Dispatch(run);
        }
    }

    /// <summary>Only terminal instances are purged (with their children when recursive); the count is what was deleted.</summary>
    public int Purge(string id, bool recursive)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(id, out var run))
            {
                return 0;
            }

            if (!run.IsTerminal)
            {
                throw new WorkflowException($"unable to purge workflow '{id}': the workflow is not in a terminal state");
            }

            var count = 1;
            _runs.Remove(id);
            _store?.Delete(id);
            _store?.SaveIndex(_runs.Keys);
            if (recursive)
            {
                foreach (var child in run.Children)
                {
                    if (_runs.TryGetValue(child, out var c) && c.IsTerminal)
                    {
                        count += Purge(child, true);
                    }
                }
            }

            Changed();
            return count;
        }
    }

    // ---- worker side ----

    /// <summary>Streams work items to one worker until it goes away; whatever it was handed and did not complete is handed out again.</summary>
    public async Task ServeAsync(Func<WorkItem, Task> write, CancellationToken cancellationToken)
    {
        var worker = new object();
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                var token = Guid.NewGuid().ToString("N");
                var sent = item.Clone();
                sent.CompletionToken = token;
                lock (_gate)
                {
                    if (!StillWanted(item))
                    {
                        continue;
                    }

                    _outstanding[token] = (item, worker);
                    if (item.WorkflowRequest is { } wf && _runs.TryGetValue(wf.InstanceId, out var run))
                    {
                        run.TurnToken = token;
                    }
                }

                try
                {
                    await write(sent);
                }
                catch
                {
                    lock (_gate)
                    {
                        _outstanding.Remove(token);
                    }

                    _queue.Writer.TryWrite(item);
                    throw;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                foreach (var (token, held) in _outstanding.Where(o => o.Value.Worker == worker).ToList())
                {
                    _outstanding.Remove(token);
                    _queue.Writer.TryWrite(held.Item);
                }
            }
        }
    }

    private bool StillWanted(WorkItem item) => item.RequestCase switch
    {
        WorkItem.RequestOneofCase.WorkflowRequest => _runs.TryGetValue(item.WorkflowRequest.InstanceId, out var run) && !run.IsTerminal && run.TurnEvents is not null
            && run.ExecutionId == item.WorkflowRequest.ExecutionId,
        WorkItem.RequestOneofCase.ActivityRequest => _runs.TryGetValue(item.ActivityRequest.WorkflowInstance.InstanceId, out var run) && !run.IsTerminal
            && run.ExecutionId == item.ActivityRequest.WorkflowInstance.ExecutionId && !run.CompletedTasks.Contains(item.ActivityRequest.TaskId),
        _ => false,
    };

    public void CompleteActivity(ActivityResponse response)
    {
        lock (_gate)
        {
            if (!_outstanding.Remove(response.CompletionToken, out var held))
            {
                return; // handed out again after a disconnect; the newer holder's result counts
            }

            var request = held.Item.ActivityRequest;
            if (!_runs.TryGetValue(request.WorkflowInstance.InstanceId, out var run) || run.IsTerminal
                || run.ExecutionId != request.WorkflowInstance.ExecutionId || !run.CompletedTasks.Add(request.TaskId))
            {
                return;
            }

            if (response.FailureDetails is { } failure)
            {
                Enqueue(run, Event(-1, e => e.TaskFailed = new TaskFailedEvent { TaskScheduledId = request.TaskId, FailureDetails = failure, TaskExecutionId = request.TaskExecutionId }));
            }
            else
            {
                var completed = new TaskCompletedEvent { TaskScheduledId = request.TaskId, TaskExecutionId = request.TaskExecutionId };
                if (response.Result is not null)
                {
                    completed.Result = response.Result;
                }

                Enqueue(run, Event(-1, e => e.TaskCompleted = completed));
            }
        }
    }

    public void CompleteTurn(WorkflowResponse response)
    {
        lock (_gate)
        {
            if (!_outstanding.Remove(response.CompletionToken, out _)
                || !_runs.TryGetValue(response.InstanceId, out var run) || run.TurnToken != response.CompletionToken || run.TurnEvents is null)
            {
                return; // a turn that was handed out again, or an instance terminated meanwhile: never applied twice
            }

            run.History.AddRange(run.TurnEvents);
            run.TurnEvents = null;
            run.TurnToken = null;
            if (run.IsTerminal)
            {
                return;
            }

            if (run.Status == OrchestrationStatus.Pending)
            {
                run.Status = OrchestrationStatus.Running;
            }

            if (response.CustomStatus is not null)
            {
                run.CustomStatus = response.CustomStatus;
            }

            var effects = new List<Action>();
            foreach (var action in response.Actions)
            {
                if (Apply(run, action, effects))
                {
                    break;
                }
            }

            Touch(run);
            foreach (var effect in effects)
            {
                effect();
            }

            Dispatch(run);
        }
    }

    /// <summary>Records one action in history and collects its effect; true when the action ended this execution.</summary>
    private bool Apply(WorkflowRun run, WorkflowAction action, List<Action> effects)
    {
        var id = action.Id;
        var executionId = run.ExecutionId;
        switch (action.WorkflowActionTypeCase)
        {
            case WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask:
                var task = action.ScheduleTask;
                var scheduled = new TaskScheduledEvent { Name = task.Name, TaskExecutionId = task.TaskExecutionId };
                if (task.Input is not null)
                {
                    scheduled.Input = task.Input;
                }

                run.History.Add(Event(id, e => e.TaskScheduled = scheduled));
                var activity = ActivityItem(run, id, scheduled);
                effects.Add(() => _queue.Writer.TryWrite(new WorkItem { ActivityRequest = activity }));
                return false;
            case WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer:
                var timer = action.CreateTimer;
                var created = new TimerCreatedEvent { FireAt = timer.FireAt };
                if (timer.HasName)
                {
                    created.Name = timer.Name;
                }

                run.History.Add(Event(id, e => e.TimerCreated = created));
                effects.Add(() => StartTimer(run.Id, executionId, id, timer.FireAt));
                return false;
            case WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow:
                var child = action.CreateChildWorkflow;
                var childCreated = new ChildWorkflowInstanceCreatedEvent { InstanceId = child.InstanceId, Name = child.Name };
                if (child.Input is not null)
                {
                    childCreated.Input = child.Input;
                }

                run.History.Add(Event(id, e => e.ChildWorkflowInstanceCreated = childCreated));
                run.Children.Add(child.InstanceId);
                effects.Add(() => StartChild(run, id, child));
                return false;
            case WorkflowAction.WorkflowActionTypeOneofCase.SendEvent:
                var send = action.SendEvent;
                var sent = new EventSentEvent { InstanceId = send.Instance.InstanceId, Name = send.Name };
                if (send.Data is not null)
                {
                    sent.Input = send.Data;
                }

                run.History.Add(Event(id, e => e.EventSent = sent));
                effects.Add(() =>
                {
                    if (_runs.TryGetValue(send.Instance.InstanceId, out var target) && !target.IsTerminal)
                    {
                        var raised = new EventRaisedEvent { Name = send.Name };
                        if (send.Data is not null)
                        {
                            raised.Input = send.Data;
                        }

                        Enqueue(target, Event(-1, e => e.EventRaised = raised));
                    }
                });
                return false;
            case WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow:
                var complete = action.CompleteWorkflow;
                if (complete.WorkflowStatus == OrchestrationStatus.ContinuedAsNew)
                {
                    ContinueAsNew(run, complete);
                    return true;
                }

                var done = new ExecutionCompletedEvent { WorkflowStatus = complete.WorkflowStatus, FailureDetails = complete.FailureDetails };
                if (complete.Result is not null)
                {
                    done.Result = complete.Result;
                }

                run.History.Add(Event(id, e => e.ExecutionCompleted = done));
                Finish(run, complete.WorkflowStatus, complete.Result, complete.FailureDetails);
                return true;
            case WorkflowAction.WorkflowActionTypeOneofCase.TerminateWorkflow:
                var terminate = action.TerminateWorkflow;
                effects.Add(() =>
                {
                    if (_runs.TryGetValue(terminate.InstanceId, out var target))
                    {
                        TerminateLocked(target, terminate.Reason, terminate.Recurse);
                    }
                });
                return false;
            default:
                return false;
        }
    }

    /// <summary>A fresh execution with the new input; carried-over events and those that arrived meanwhile go to the new one.</summary>
    private static ActivityRequest ActivityItem(WorkflowRun run, int taskId, TaskScheduledEvent task)
    {
        var activity = new ActivityRequest
        {
            Name = task.Name,
            WorkflowInstance = new WorkflowInstance { InstanceId = run.Id, ExecutionId = run.ExecutionId },
            TaskId = taskId,
            TaskExecutionId = task.TaskExecutionId,
        };
        if (task.Input is not null)
        {
            activity.Input = task.Input;
        }

        return activity;
    }

    private void ContinueAsNew(WorkflowRun run, CompleteWorkflowAction complete)
    {
        var pending = run.Inbox.ToList();
        run.Inbox.Clear();
        run.History.Clear();
        run.CompletedTasks.Clear();
        run.ExecutionId = Guid.NewGuid().ToString("N");
        run.Input = complete.Result;
        run.Output = null;
        run.Status = OrchestrationStatus.Running;
        run.Inbox.Add(ExecutionStarted(run, null));
        run.Inbox.AddRange(complete.CarryoverEvents);
        run.Inbox.AddRange(pending.Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.EventRaised));
    }

    private void Finish(WorkflowRun run, OrchestrationStatus status, string? output, TaskFailureDetails? failure)
    {
        run.Status = status;
        run.Output = output;
        run.Failure = failure;
        run.Suspended = false;
        run.Inbox.Clear();
        run.TurnEvents = null;
        run.TurnToken = null;
        run.Completed = time.GetUtcNow();
        Touch(run);
        if (run.Parent is { } parent && _runs.TryGetValue(parent.WorkflowInstance.InstanceId, out var parentRun) && !parentRun.IsTerminal)
        {
            var taskId = parent.TaskScheduledId;
            if (status == OrchestrationStatus.Completed)
            {
                var completed = new ChildWorkflowInstanceCompletedEvent { TaskScheduledId = taskId };
                if (output is not null)
                {
                    completed.Result = output;
                }

                Enqueue(parentRun, Event(-1, e => e.ChildWorkflowInstanceCompleted = completed));
            }
            else
            {
                var details = failure ?? new TaskFailureDetails { ErrorType = "WorkflowTerminated", ErrorMessage = $"child workflow '{run.Id}' ended as {status}" };
                Enqueue(parentRun, Event(-1, e => e.ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent { TaskScheduledId = taskId, FailureDetails = details }));
            }
        }
    }

    private void StartChild(WorkflowRun parent, int taskId, CreateChildWorkflowAction child)
    {
        var info = new ParentInstanceInfo
        {
            TaskScheduledId = taskId,
            Name = parent.Name,
            WorkflowInstance = new WorkflowInstance { InstanceId = parent.Id, ExecutionId = parent.ExecutionId },
            AppID = AppId,
        };
        if (_runs.TryGetValue(child.InstanceId, out var existing) && !existing.IsTerminal)
        {
            var details = new TaskFailureDetails { ErrorType = "WorkflowAlreadyExists", ErrorMessage = $"an active workflow with ID '{child.InstanceId}' already exists" };
            Enqueue(parent, Event(-1, e => e.ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent { TaskScheduledId = taskId, FailureDetails = details }));
            return;
        }

        var run = NewRun(child.InstanceId, child.Name, child.Input, info, null);
        Enqueue(run, ExecutionStarted(run, null));
    }

    private void StartTimer(string id, string executionId, int timerId, Timestamp fireAt)
    {
        _ = Task.Run(async () =>
        {
            // Delays may end a little before the clock reaches fireAt; a timer never fires early.
            while (fireAt.ToDateTimeOffset() - time.GetUtcNow() is var due && due > TimeSpan.Zero)
            {
                await Task.Delay(due + TimeSpan.FromMilliseconds(1), time);
            }

            lock (_gate)
            {
                if (_runs.TryGetValue(id, out var run) && !run.IsTerminal && run.ExecutionId == executionId)
                {
                    Enqueue(run, Event(-1, e => e.TimerFired = new TimerFiredEvent { FireAt = fireAt, TimerId = timerId }));
                }
            }
        });
    }

    /// <summary>Adds a new event to the instance's inbox and starts a turn if none is in flight.</summary>
    private void Enqueue(WorkflowRun run, HistoryEvent e)
    {
        run.Inbox.Add(e);
        Touch(run);
        Dispatch(run);
    }

    private void Dispatch(WorkflowRun run)
    {
        if (run.TurnEvents is not null || run.Inbox.Count == 0 || run.IsTerminal || run.Suspended)
        {
            return;
        }

        if (run.ScheduledStart is { } start && start > time.GetUtcNow() && run.History.Count == 0)
        {
            var delay = start - time.GetUtcNow();
            _ = Task.Run(async () =>
            {
                await Task.Delay(delay, time);
                lock (_gate)
                {
                    run.ScheduledStart = null;
                    Dispatch(run);
                }
            });
            return;
        }

        var batch = new List<HistoryEvent> { Event(-1, e => e.WorkflowStarted = new WorkflowStartedEvent()) };
        batch.AddRange(run.Inbox);
        run.Inbox.Clear();
        run.TurnEvents = batch;
        var request = new WorkflowRequest { InstanceId = run.Id, ExecutionId = run.ExecutionId };
        request.PastEvents.AddRange(run.History);
        request.NewEvents.AddRange(batch);
        _queue.Writer.TryWrite(new WorkItem { WorkflowRequest = request });
    }

    private HistoryEvent Event(int id, Action<HistoryEvent> set) => Event(id, time.GetUtcNow(), set);

    private static HistoryEvent Event(int id, DateTimeOffset at, Action<HistoryEvent> set)
    {
        var e = new HistoryEvent { EventId = id, Timestamp = Timestamp.FromDateTimeOffset(at) };
        set(e);
        return e;
    }

    private WorkflowRun Find(string id) =>
        _runs.TryGetValue(id, out var run) ? run : throw new WorkflowException($"no such instance exists: '{id}'", notFound: true);

    private void Touch(WorkflowRun run)
    {
        run.LastUpdated = time.GetUtcNow();
        _store?.Save(run);
        Changed();
    }

    private void Changed()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    private static WorkflowState State(WorkflowRun run, bool withPayloads)
    {
        var state = new WorkflowState
        {
            InstanceId = run.Id,
            Name = run.Name,
            WorkflowStatus = run.Status,
            CreatedTimestamp = Timestamp.FromDateTimeOffset(run.Created),
            LastUpdatedTimestamp = Timestamp.FromDateTimeOffset(run.LastUpdated),
            ExecutionId = run.ExecutionId,
            FailureDetails = run.Failure,
        };
        if (run.ScheduledStart is { } start)
        {
            state.ScheduledStartTimestamp = Timestamp.FromDateTimeOffset(start);
        }

        if (run.Completed is { } completed)
        {
            state.CompletedTimestamp = Timestamp.FromDateTimeOffset(completed);
        }

        if (run.CustomStatus is not null)
        {
            state.CustomStatus = run.CustomStatus;
        }

        if (run.Parent is not null)
        {
            state.ParentInstanceId = run.Parent.WorkflowInstance.InstanceId;
        }

        if (withPayloads)
        {
            if (run.Input is not null)
            {
                state.Input = run.Input;
            }

            if (run.Output is not null)
            {
                state.Output = run.Output;
            }
        }

        return state;
    }
}

/// <summary>An engine refusal; the gRPC front end turns it into the status daprd answers with.</summary>
public sealed class WorkflowException(string message, bool notFound = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}
