using DaprChat.Chat.Sessions;
using DaprChat.Chat.Tickets;
using DaprChat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddChatTickets();
builder.AddChatSessions();

var app = builder.Build();
app.MapServiceDefaults();
app.MapChatSessions();

app.Run();

/// <summary>Visible to the integration tests, which host chat in-process behind the local runtime.</summary>
public partial class Program;
