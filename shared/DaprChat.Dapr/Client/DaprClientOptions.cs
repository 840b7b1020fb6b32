using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace DaprChat.Dapr;

/// <summary>Where the sidecar is and how to talk to it.</summary>
public sealed class DaprClientOptions
{
    /// <summary>daprd's HTTP API, e.g. <c>http://127.0.0.1:3500</c>.</summary>
    public Uri HttpEndpoint { get; set; } = new("http://127.0.0.1:3500");

    /// <summary>Sent as <c>dapr-api-token</c> on every call when set (daprd's <c>DAPR_API_TOKEN</c>).</summary>
    public string? ApiToken { get; set; }

    /// <summary>Serialises state values, event payloads, invocation and actor bodies.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>How often <see cref="DaprClient.WaitForSidecarAsync"/> polls <c>/v1.0/healthz/outbound</c>.</summary>
    public TimeSpan SidecarPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Reads <c>DAPR_HTTP_ENDPOINT</c>, else <c>http://127.0.0.1:{DAPR_HTTP_PORT ?? 3500}</c>, and <c>DAPR_API_TOKEN</c>,
    /// the variables <c>dapr run</c> and the Kubernetes injector set. Pass null to read the process environment.
    /// </summary>
    public DaprClientOptions ReadFrom(IConfiguration? configuration)
    {
        string? Get(string name) => configuration is null ? Environment.GetEnvironmentVariable(name) : configuration[name];

        var endpoint = Get("DAPR_HTTP_ENDPOINT");
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            HttpEndpoint = new Uri(endpoint.TrimEnd('/'), UriKind.Absolute);
        }
        else
        {
            var port = Get("DAPR_HTTP_PORT");
            var number = string.IsNullOrWhiteSpace(port) ? 3500 : int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture);
            HttpEndpoint = new Uri($"http://127.0.0.1:{number.ToString(CultureInfo.InvariantCulture)}");
        }

        var token = Get("DAPR_API_TOKEN");
        ApiToken = string.IsNullOrEmpty(token) ? null : token;
        return this;
    }

    /// <summary>Options from the process environment, as an app started by <c>dapr run</c> sees it.</summary>
    public static DaprClientOptions FromEnvironment() => new DaprClientOptions().ReadFrom(null);
}
