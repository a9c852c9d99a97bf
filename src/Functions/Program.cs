using Gateway;
using Gateway.Configuration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Configuration.AddGatewayConfig();

// The worker's own telemetry (logs, dependencies) to Application Insights; with local auth off on
// Azure it authenticates through APPLICATIONINSIGHTS_AUTHENTICATION_STRING (the app's identity).
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();

// Functions instances share no memory: a Table Storage State section is required (checked at start).
builder.Services.AddGateway(builder.Configuration, GatewayHostKind.Functions);
builder.Build().Run();
