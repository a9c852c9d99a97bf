using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Gateway;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Configuration.AddGatewayConfig();

// Functions instances share no memory: a Table Storage State section is required (checked at start).
builder.Services.AddGateway(builder.Configuration, GatewayHostKind.Functions);

// The gateway's metrics and traces (and the worker's invocation spans) through OpenTelemetry: to
// Application Insights when its connection string is set — with local auth off on Azure, as the app's
// user-assigned identity named in APPLICATIONINSIGHTS_AUTHENTICATION_STRING — and to OTLP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. host.json sets telemetryMode OpenTelemetry to match.
var connectionString = builder.Configuration[ApplicationInsightsAuthentication.ConnectionStringSetting];
var authentication = builder.Configuration[ApplicationInsightsAuthentication.AuthenticationStringSetting];
builder.Services.AddGatewayTelemetry(builder.Configuration, otel =>
{
    otel.UseFunctionsWorkerDefaults();
    if (!string.IsNullOrWhiteSpace(connectionString))
    {
        otel.UseAzureMonitorExporter(options =>
        {
            options.ConnectionString = connectionString;
            if (ApplicationInsightsAuthentication.TryParse(authentication, out var clientId))
            {
                options.Credential = clientId is null ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned) : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            }
        });
    }
}, hostExportsTraces: !string.IsNullOrWhiteSpace(connectionString));
builder.Build().Run();
