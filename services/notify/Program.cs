using DaprChat.Notify;
using DaprChat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotify();

var app = builder.Build();
app.MapServiceDefaults();
app.MapNotify();

app.Run();

/// <summary>Visible to the integration tests, which host notify in-process behind the local runtime.</summary>
public partial class Program;
