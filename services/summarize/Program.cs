using DaprChat.ServiceDefaults;
using DaprChat.Summarize.Generation;
using DaprChat.Summarize.Summaries;
using DaprChat.Summarize.Workflow;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSummaries();
builder.AddGeneration();

var app = builder.Build();
app.MapServiceDefaults();
app.MapSummaryRequests();
app.MapSummaryApi();

app.Run();

/// <summary>Visible to the integration tests.</summary>
public partial class Program;
