using Gateway.Configuration;
using Gateway.Endpoints;

namespace Gateway.Server;

/// <summary>The standalone Kestrel host: configuration sources, Kestrel limits and the route map. No behaviour.</summary>
public static class GatewayServer
{
    /// <summary>Default listen URL, the port <c>func start</c> uses, so a client URL works against either host.</summary>
    public const string DefaultUrl = "http://localhost:7071";

    /// <summary>Builds the app; <paramref name="configure"/> lets tests add configuration sources and loggers.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddGatewayConfig();
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddGateway(builder.Configuration);
        var streaming = builder.Configuration.GetSection("Gateway:Streaming").Get<StreamingOptions>() ?? new StreamingOptions();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(streaming.ShutdownGraceSeconds + 5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The gateway enforces Limits.MaxRequestBytes itself, with its own 413 envelope.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();
        // Every method reaches the handler, which answers 405 for methods the route does not list.
        var handlers = app.Services.GetRequiredService<GatewayHandlers>();
        foreach (var route in GatewayRouteTable.All)
        {
            Task Handle(HttpContext context) => handlers.HandleAsync(route, context);
            if (route == GatewayRouteTable.Fallback)
            {
                // Every path, file-like ones (/favicon.ico, /.env) included: each request gets the envelope and its log line.
                app.MapFallback(route.Template, Handle);
            }
            else
            {
                app.Map("/" + route.Template, Handle);
            }
        }

        return app;
    }
}
