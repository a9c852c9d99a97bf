using Gateway.Configuration;
using Gateway.Server;

if (args is [HealthProbe.Argument, var probeUrl])
{
    return await HealthProbe.RunAsync(probeUrl, Console.Error);
}

try
{
    var app = GatewayServer.Build(args);
    await app.RunAsync();
    return 0;
}
catch (GatewayConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
