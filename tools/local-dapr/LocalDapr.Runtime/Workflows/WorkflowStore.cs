using System.Text.Json;
using System.Threading.Channels;
using Dapr.DurableTask.Protobuf;
using Google.Protobuf;
using LocalDapr.State;

namespace LocalDapr.Workflows;

/// <summary>
/// Keeps each instance in the actor state store, as daprd keeps workflows in actor state:
/// key "{appId}||dapr.internal.default.{appId}.workflow||{instanceId}||state" holds one JSON document (state fields,
/// history and inbox as base64 protobuf HistoryEvents) and "…workflow||index" the list of instance ids. Writes go
/// through one ordered queue so the store never sees an older snapshot after a newer one.
/// </summary>
internal sealed class WorkflowStore
{
    private readonly IStateStore _store;
    private readonly string _prefix;
    private readonly Channel<(string Key, byte[]? Value)> _writes = Channel.CreateUnbounded<(string, byte[]?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public WorkflowStore(IStateStore store, string appId)
    {
        _store = store;
        _prefix = $"{appId}||dapr.internal.default.{appId}.workflow||";
        _writer = Task.Run(WriteLoopAsync);
    }

    public void Save(WorkflowRun run) => _writes.Writer.TryWrite((_prefix + run.Id + "||state", JsonSerializer.SerializeToUtf8Bytes(Snapshot.Of(run))));

    public void Delete(string id) => _writes.Writer.TryWrite((_prefix + id + "||state", null));

    public void SaveIndex(IEnumerable<string> ids) => _writes.Writer.TryWrite((_prefix + "index", JsonSerializer.SerializeToUtf8Bytes(ids.ToList())));

    /// <summary>Waits until every write queued so far is in the store.</summary>
    public async Task FlushAsync()
    {
        _writes.Writer.TryComplete();
        await _writer;
    }

    public async Task<List<WorkflowRun>> LoadAsync(CancellationToken cancellationToken)
    {
        var index = await _store.GetAsync(_prefix + "index", cancellationToken);
        if (index is null || index.Data.Length == 0)
        {
            return [];
        }

        var ids = JsonSerializer.Deserialize<List<string>>(index.Data) ?? [];
        var runs = new List<WorkflowRun>();
        foreach (var item in await _store.BulkGetAsync(ids.Select(id => _prefix + id + "||state").ToList(), cancellationToken))
        {
            if (item is { Data.Length: > 0 } && JsonSerializer.Deserialize<Snapshot>(item.Data) is { } snapshot)
            {
                runs.Add(snapshot.ToRun());
            }
        }

        return runs;
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var (key, value) in _writes.Reader.ReadAllAsync())
        {
            try
            {
                if (value is null)
                {
                    await _store.DeleteAsync(new DeleteRequest(key, null, Concurrency.LastWrite), CancellationToken.None);
                }
                else
                {
                    await _store.SetAsync(new SetRequest(key, value, null, Concurrency.LastWrite, null), CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next snapshot of the instance rewrites the whole document; a lost write is repaired then.
            }
        }
    }

    private sealed record Snapshot(
        string Id, string Name, string ExecutionId, int Status, string? Input, string? Output, string? CustomStatus, string? Failure,
        DateTimeOffset Created, DateTimeOffset LastUpdated, DateTimeOffset? ScheduledStart, DateTimeOffset? Completed, string? Parent,
        bool Suspended, List<string> History, List<string> Inbox, List<string> Children, List<int> CompletedTasks)
    {
        public static Snapshot Of(WorkflowRun run) => new(
            run.Id, run.Name, run.ExecutionId, (int)run.Status, run.Input, run.Output, run.CustomStatus, B64(run.Failure),
            run.Created, run.LastUpdated, run.ScheduledStart, run.Completed, B64(run.Parent), run.Suspended,
            run.History.Select(e => B64(e)!).ToList(),

            // A turn in flight is redone after a restart: its events go back to the inbox.
            (run.TurnEvents ?? []).Where(e => e.EventTypeCase != HistoryEvent.EventTypeOneofCase.WorkflowStarted).Concat(run.Inbox).Select(e => B64(e)!).ToList(),
            run.Children.ToList(), run.CompletedTasks.ToList());

        public WorkflowRun ToRun()
        {
            var run = new WorkflowRun(Id, Name)
            {
                ExecutionId = ExecutionId,
                Status = (OrchestrationStatus)Status,
                Input = Input,
                Output = Output,
                CustomStatus = CustomStatus,
                Failure = Failure is null ? null : TaskFailureDetails.Parser.ParseFrom(Convert.FromBase64String(Failure)),
                Created = Created,
                LastUpdated = LastUpdated,
                ScheduledStart = ScheduledStart,
                Completed = Completed,
                Parent = Parent is null ? null : ParentInstanceInfo.Parser.ParseFrom(Convert.FromBase64String(Parent)),
                Suspended = Suspended,
            };
            run.History.AddRange(History.Select(h => HistoryEvent.Parser.ParseFrom(Convert.FromBase64String(h))));
            run.Inbox.AddRange(Inbox.Select(h => HistoryEvent.Parser.ParseFrom(Convert.FromBase64String(h))));
            run.Children.AddRange(Children);
            run.CompletedTasks.UnionWith(CompletedTasks);
            return run;
        }

        private static string? B64(IMessage? message) => message is null ? null : Convert.ToBase64String(message.ToByteArray());
    }
}
