using System.Runtime.CompilerServices;
using Gateway.Configuration;
using Gateway.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Diagnostics;

/// <summary>
/// The OpenTelemetry SDK over the gateway's meter and activity source, for both hosts: histogram buckets
/// once (so <c>/metrics</c>, OTLP and Azure Monitor agree), OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set,
/// and whatever exporter the host adds (the Server's Prometheus endpoint, Functions' Azure Monitor).
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>The standard OTLP endpoint variable; OTLP export is on when it is set.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Registers the meter provider and, when spans go somewhere (OTLP, or a host exporter that takes traces:
    /// <paramref name="hostExportsTraces"/>), the tracer provider, unless <c>Gateway:Telemetry:Enabled</c> is
    /// false; then <paramref name="host"/> adds the host's exporters. Returns whether telemetry is on. Without a
    /// trace exporter nothing subscribes to the activity source, so no span is made at all (a tracer provider
    /// with no exporter would build and sample two spans per request for nobody: ~2 % of the CPU at c=32).
    /// </summary>
    public static bool AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration, Action<OpenTelemetryBuilder>? host = null, bool hostExportsTraces = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var enabled = configuration.GetSection(GatewayOptions.SectionName + ":Telemetry").Get<TelemetryOptions>()?.Enabled ?? true;
        if (!enabled)
        {
            return false;
        }

        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("gateway"))
            .WithMetrics(metrics => metrics.AddMeter(GatewayMetrics.MeterName));
        if (otlp || hostExportsTraces)
        {
            builder.WithTracing(tracing => tracing.AddSource(GatewayTracing.SourceName));
        }

        if (otlp)
        {
            UseOtlpExporter(builder);
        }

        host?.Invoke(builder);
        return true;
    }

    // Endpoint, protocol and headers come from the standard OTEL_EXPORTER_OTLP_* variables. A method of its own,
    // so the exporter's assembly is loaded only when an endpoint is set.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UseOtlpExporter(OpenTelemetryBuilder builder) => builder.UseOtlpExporter();
}
