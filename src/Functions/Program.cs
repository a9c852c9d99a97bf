using Gateway;
using Gateway.Configuration;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Configuration.AddGatewayConfigFile();
builder.Services.AddGateway(builder.Configuration);
builder.Build().Run();
