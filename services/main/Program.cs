using DaprChat.Dapr;
using DaprChat.Main.Status;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapServiceDefaults();
app.MapStatusApi();

app.Run();
