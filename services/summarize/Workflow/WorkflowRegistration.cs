using Dapr.Workflow;
using DaprChat.Contracts;
using DaprChat.ServiceDefaults;
using DaprChat.Summarize.Summaries;

namespace DaprChat.Summarize.Workflow;

public static class WorkflowRegistration
{
    /// <summary>The store, the chat invocation client, and the workflow with its activities (Dapr.Workflow's worker and client).</summary>
    public static WebApplicationBuilder AddSummaries(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<SummaryOptions>(builder.Configuration.GetSection("Summarize"));
        builder.Services.AddSingleton<SummaryStore>();
        builder.Services.AddDaprInvocationClient(DaprNames.Apps.Chat);
        builder.Services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<SessionSummaryWorkflow>(DaprNames.Workflows.SessionSummary);
            options.RegisterActivity<StartJobActivity>(nameof(StartJobActivity));
            options.RegisterActivity<SnapshotTranscriptActivity>(nameof(SnapshotTranscriptActivity));
            options.RegisterActivity<LoadHistoryActivity>(nameof(LoadHistoryActivity));
            options.RegisterActivity<RedactActivity>(nameof(RedactActivity));
            options.RegisterActivity<GenerateActivity>(nameof(GenerateActivity));
            options.RegisterActivity<ValidateActivity>(nameof(ValidateActivity));
            options.RegisterActivity<StoreSummaryActivity>(nameof(StoreSummaryActivity));
            options.RegisterActivity<PublishOutcomeActivity>(nameof(PublishOutcomeActivity));
        });
        return builder;
    }
}
