using Gateway;
using Gateway.Configuration;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Configuration.AddGatewayConfigFile();
// Functions instances share no memory: a Table Storage State section is required (checked at start).
builder.Services.AddGateway(builder.Configuration, GatewayHostKind.Functions);
builder.Build().Run();
