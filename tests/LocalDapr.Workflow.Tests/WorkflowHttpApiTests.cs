using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DaprChat.Testing;
using LocalDapr.Workflow.Tests.Infrastructure;
using Xunit;

namespace LocalDapr.Workflow.Tests;

/// <summary>The HTTP management API an operator drives with curl, on the same engine as the SDK.</summary>
public sealed class WorkflowHttpApiTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private WorkflowWorld _world = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await WorkflowWorld.StartAsync(Profile.Memory);
        _http.DefaultRequestHeaders.Add("dapr-api-token", WorkflowWorld.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _world.DisposeAsync();
    }

    private string Url(string path) => _world.Sidecar.HttpEndpoint + "/v1.0/workflows/dapr/" + path;

    private async Task<JsonObject> GetAsync(string id)
    {
        using var response = await _http.GetAsync(Url(id));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task A_workflow_started_over_http_is_steered_by_event_pause_resume_and_purged_when_done()
    {
        var id = "http-" + Guid.NewGuid().ToString("N")[..8];
        using var start = await _http.PostAsync(Url(nameof(EventWorkflow) + "/start?instanceID=" + id), new StringContent("\"h\"", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal(id, JsonNode.Parse(await start.Content.ReadAsStringAsync())!["instanceID"]!.GetValue<string>());
        await Eventually.TrueAsync(async () => (await GetAsync(id))["runtimeStatus"]!.GetValue<string>() == "RUNNING" && TestWorkflows.Count("append:h") > 0,
            TimeSpan.FromSeconds(60), "the workflow waits for its event");

        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(Url(id + "/pause"), null)).StatusCode);
        Assert.Equal("SUSPENDED", (await GetAsync(id))["runtimeStatus"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(Url(id + "/raiseEvent/approve"), new StringContent("\"ok\"", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(Url(id + "/resume"), null)).StatusCode);
        await Eventually.TrueAsync(async () => (await GetAsync(id))["runtimeStatus"]!.GetValue<string>() == "COMPLETED", TimeSpan.FromSeconds(60), "the workflow completes");

        var done = await GetAsync(id);
        Assert.Equal(nameof(EventWorkflow), done["workflowName"]!.GetValue<string>());
        Assert.Equal("h+ok", JsonNode.Parse(done["properties"]!["dapr.workflow.output"]!.GetValue<string>())!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(Url(id + "/purge"), null)).StatusCode);
        using var gone = await _http.GetAsync(Url(id));
        Assert.Equal(HttpStatusCode.InternalServerError, gone.StatusCode);
    }

    [Fact]
    public async Task Terminate_over_http_ends_a_running_workflow()
    {
        var id = "http-t-" + Guid.NewGuid().ToString("N")[..8];
        using var start = await _http.PostAsync(Url(nameof(EventWorkflow) + "/start?instanceID=" + id), new StringContent("\"t\"", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(Url(id + "/terminate"), null)).StatusCode);
        Assert.Equal("TERMINATED", (await GetAsync(id))["runtimeStatus"]!.GetValue<string>());
    }
}
