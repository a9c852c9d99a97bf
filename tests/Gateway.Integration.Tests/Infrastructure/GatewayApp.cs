using Gateway.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>The real gateway (the Server host) on a loopback port, with its logs captured.</summary>
public sealed class GatewayApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private GatewayApp(WebApplication app, LogCapture logs, Uri root)
    {
        _app = app;
        Logs = logs;
        Root = root;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = root, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Root { get; }

    public HttpClient Client { get; }

    public LogCapture Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="config">The gateway's configuration.</param>
    /// <param name="services">Registers services before the gateway's own (fakes the gateway takes from the host, such as a TokenCredential).</param>
    public static async Task<GatewayApp> StartAsync(TestConfig config, Action<IServiceCollection>? services = null)
    {
        var logs = new LogCapture();
        var app = GatewayServer.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config.Values);
            services?.Invoke(builder.Services);
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayApp(app, logs, new Uri(address));
    }

    /// <summary>Starts a graceful shutdown (as SIGTERM would) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
    }
}
