using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Endpoints;
using Gateway.Metrics;
using Gateway.Server.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;

namespace Gateway.Server;

/// <summary>The standalone Kestrel host: configuration sources, Kestrel limits and the route map. No behaviour.</summary>
public static class GatewayServer
{
    /// <summary>Default listen URL, the port <c>func start</c> uses, so a client URL works against either host.</summary>
    public const string DefaultUrl = "http://localhost:7071";

    /// <summary>Builds the app; <paramref name="configure"/> lets tests add configuration sources and loggers.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Configuration.AddGatewayConfig();
        UseConsoleLog(builder);
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddGateway(builder.Configuration);
        var telemetry = builder.Services.AddGatewayTelemetry(builder.Configuration, otel => otel.WithMetrics(metrics =>
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)));
        var streaming = builder.Configuration.GetSection("Gateway:Streaming").Get<StreamingOptions>() ?? new StreamingOptions();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(streaming.ShutdownGraceSeconds + 5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The gateway enforces Limits.MaxRequestBytes itself, with its own 413 envelope.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();
        if (telemetry)
        {
            // GET /metrics: the route below checks the admin key and writes the log line, then this
            // branch (the OpenTelemetry Prometheus exporter alone) writes the exposition.
            app.Services.GetRequiredService<MetricsExposition>().Scrape = ((IApplicationBuilder)app).New()
                .UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: static _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
                .Build();
        }

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

    // The console log: the gateway's own batched line writer, or the standard console logger when a formatter
    // is named (Logging:Console:FormatterName, e.g. json), which then gets a stdout writer with room for a line.
    private static void UseConsoleLog(WebApplicationBuilder builder)
    {
        if (builder.Configuration["Logging:Console:FormatterName"] is { Length: > 0 } formatter)
        {
            // The slim builder's console logger is pinned to the simple formatter; the named one wins.
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = formatter);
            ConsoleOutput.Install();
            return;
        }

        foreach (var standard in builder.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList())
        {
            builder.Services.Remove(standard);
        }

        builder.Services.AddSingleton<ILoggerProvider>(_ => new ConsoleLineLoggerProvider(Console.OpenStandardOutput()));
    }
}
