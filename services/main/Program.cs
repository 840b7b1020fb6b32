using DaprChat.Main.Accounts;
using DaprChat.Main.Admin;
using DaprChat.Main.Dashboard;
using DaprChat.Main.Devices;
using DaprChat.Main.Directory;
using DaprChat.Main.Infrastructure;
using DaprChat.Main.Security;
using DaprChat.Main.Sessions;
using DaprChat.Main.Status;
using DaprChat.Main.WebClient;
using DaprChat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSecurity();
builder.AddAccounts();
builder.AddSessions();
builder.AddStatus();
builder.AddWebClient();
builder.AddMainOpenApi();

var app = builder.Build();
app.UseWebClient();
app.MapServiceDefaults();
app.UseStatusCodePages();
app.UseSecurity();
app.MapOpenApi();
app.MapJwksApi();
app.MapAuthApi();
app.MapDirectoryApi();
app.MapSessionsApi();
app.MapDashboardApi();
app.MapSummariesApi();
app.MapAdminApi();
app.MapDevicesApi();
app.MapRecipientDevicesApi();
app.MapStatusApi();
app.MapClientConfigApi();

app.Run();

/// <summary>Visible to the integration tests (WebApplicationFactory).</summary>
public partial class Program;
