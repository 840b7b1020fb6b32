using DaprChat.Dapr;
using DaprChat.Main.Status;

var builder = WebApplication.CreateBuilder(args);
builder.AddDaprSidecarDefaults();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseCloudEvents();
app.MapDaprHealth();
app.MapSubscribeHandler();
app.MapStatusApi();

app.Run();
