using DaprChat.Dapr;

var builder = WebApplication.CreateBuilder(args);
builder.AddDaprSidecarDefaults();
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseCloudEvents();
app.MapDaprHealth();
app.MapSubscribeHandler();

app.Run();
