using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DaprChat.ServiceDefaults;

public static class Telemetry
{
    /// <summary>The app's own activity source, for spans around work that is not an HTTP call (a workflow activity, a push).</summary>
    public const string SourceName = "DaprChat";

    /// <summary>
    /// Traces and metrics for ASP.NET Core and HttpClient (which carries the SDK's gRPC calls too). Incoming spans continue
    /// daprd's W3C <c>traceparent</c>, and outgoing calls carry it, so a request reads as one trace across sidecars. Exported
    /// over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Spans never carry bodies, so no message text.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName))
            .WithTracing(t => t
                .AddSource(SourceName)
                // Probes every few seconds would drown real traces.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/healthz")
                .AddHttpClientInstrumentation())
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(SourceName));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }
}
