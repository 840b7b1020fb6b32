using Dapr.DurableTask.Protobuf;

namespace LocalDapr.Workflows;

/// <summary>One workflow instance: its history (what the worker replays), its inbox (events not yet shown to a turn) and its state.</summary>
internal sealed class WorkflowRun(string id, string name)
{
    public string Id { get; } = id;
    public string Name { get; set; } = name;
    public string ExecutionId { get; set; } = Guid.NewGuid().ToString("N");
    public OrchestrationStatus Status { get; set; } = OrchestrationStatus.Pending;
    public string? Input { get; set; }
    public string? Output { get; set; }
    public string? CustomStatus { get; set; }
    public TaskFailureDetails? Failure { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset LastUpdated { get; set; }
    public DateTimeOffset? ScheduledStart { get; set; }
    public DateTimeOffset? Completed { get; set; }
    public ParentInstanceInfo? Parent { get; set; }
    public bool Suspended { get; set; }
    public List<HistoryEvent> History { get; } = [];
    public List<HistoryEvent> Inbox { get; } = [];
    public List<string> Children { get; } = [];
    public HashSet<int> CompletedTasks { get; } = [];

    /// <summary>The completion token of the turn a worker holds; null when no turn is in flight.</summary>
    public string? TurnToken { get; set; }
    public List<HistoryEvent>? TurnEvents { get; set; }

    public bool IsTerminal => Status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;
}
