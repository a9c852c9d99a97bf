using System.Diagnostics;
using System.Net;
using Gateway.Admin;
using Gateway.Auth;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Endpoints;
using Gateway.Metrics;
using Gateway.Pipeline;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.State;
using Gateway.State.Tables;
using Gateway.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gateway;

/// <summary>Registers the gateway with a host's services; both hosts call this and nothing else.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the <c>Gateway</c> section now (bad configuration fails the host's start with
    /// the key named) and registers every gateway service.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">Configuration holding the <c>Gateway</c> section.</param>
    /// <param name="host">The Server also runs the model-list job on its cron schedule; Functions uses a timer function.</param>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration, GatewayHostKind host = GatewayHostKind.Server)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = GatewayOptionsLoader.Load(configuration, host);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);

        // Upstream calls: one pooled SocketsHttpHandler per provider, no redirects, no cookies, no
        // automatic trace headers (the gateway builds traceparent itself), and no per-request logging
        // handlers on the hot path. A provider's Proxy replaces the environment's proxy for it alone.
        // On Functions, Application Insights records upstream calls as dependencies from the activity the
        // handler's diagnostics stage starts, so there it stays (propagating nothing). The Server has no
        // listener for it: with no propagator the handler has no diagnostics stage, which per request started
        // and stopped an activity nobody read (about 3 % of the Server's CPU at c=32, in the profile).
        var propagator = host == GatewayHostKind.Functions ? DistributedContextPropagator.CreateNoOutputPropagator() : null;
        foreach (var (id, provider) in options.Providers)
        {
            var maskedProxy = provider.Proxy is null ? null : ProviderProxy.Mask(provider.Proxy);
            services.AddHttpClient("gateway-provider:" + id, client => client.Timeout = Timeout.InfiniteTimeSpan)
                .ConfigurePrimaryHttpMessageHandler(sp =>
                {
                    var handler = new SocketsHttpHandler
                    {
                        AllowAutoRedirect = false,
                        UseCookies = false,
                        AutomaticDecompression = DecompressionMethods.None,
                        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                        ConnectTimeout = TimeSpan.FromSeconds(Math.Min(15, provider.FirstByteTimeoutSeconds)),
                        ActivityHeadersPropagator = propagator,
                        MaxConnectionsPerServer = int.MaxValue,
                    };
                    if (provider.Proxy is { } proxy)
                    {
                        handler.UseProxy = true;
                        handler.Proxy = ProviderProxy.Create(proxy);
                        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProviderProxy).FullName!);
                        GatewayLog.ProviderProxy(logger, id, maskedProxy!);
                    }

                    return handler;
                })
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
                .RemoveAllLoggers();
        }

        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<MetricsExposition>();
        services.AddSingleton(sp => new GatewayStats(sp.GetRequiredService<GatewayMetrics>(), sp.GetRequiredService<TimeProvider>(), options.Telemetry.Enabled));
        services.AddSingleton<StateHealth>();
        services.AddSingleton<StateGuard>();
        services.AddSingleton(sp => new StateCallCounter(sp.GetRequiredService<GatewayMetrics>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new StateStores(options.State, sp.GetRequiredService<StateGuard>(), sp.GetRequiredService<StateCallCounter>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<StateSnapshots>();
        services.AddSingleton<SessionAffinity>();
        services.AddSingleton<ThinkingMemory>();
        services.AddSingleton<ResponseHistory>();
        services.AddSingleton<ModelRefreshJob>();
        services.AddSingleton(sp => new GatewayJobs(sp.GetRequiredService<ModelRefreshJob>()));
        services.AddHostedService<StateMaintenanceService>();
        if (host == GatewayHostKind.Server)
        {
            services.AddHostedService<ModelRefreshScheduler>();
        }

        services.AddSingleton<ManagedTokenSource>();
        // A TokenCredential registered by the host (or a test) replaces the configured identities.
        services.AddSingleton(sp => new AzureAdTokenSource(sp.GetService<Azure.Core.TokenCredential>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<UpstreamSender>();
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<ProviderModelCache>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<TargetHealth>();
        services.AddSingleton(sp => new FailoverPlan(sp.GetRequiredService<TargetHealth>(), options, sp.GetRequiredService<TimeProvider>(), metrics: sp.GetRequiredService<GatewayMetrics>()));
        services.AddSingleton<ClientRateLimiter>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<CorsPolicy>();
        services.AddSingleton<TokenEstimator>();
        services.AddSingleton<StreamShutdown>();
        services.AddSingleton<CodecSelector>();
        services.AddSingleton<StreamingChatRunner>();
        services.AddSingleton<NonStreamingChatRunner>();
        services.AddSingleton<ChatEndpoint>();
        services.AddSingleton<CountTokensEndpoint>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddSingleton<HealthEndpoint>();
        services.AddSingleton<ManageEndpoint>();
        services.AddSingleton<MetricsEndpoint>();
        services.AddSingleton<StatsEndpoint>();
        services.AddSingleton<AdminAudit>();
        services.AddSingleton<OverrideDocumentStore>();
        services.AddSingleton<ProvidersEndpoint>();
        services.AddSingleton<OverridesEndpoint>();
        services.AddSingleton<RoutingDecisionEndpoint>();
        services.AddSingleton<SessionsEndpoint>();
        services.AddSingleton<AdminPageEndpoint>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton(sp => new GatewayHandlers(
            sp.GetRequiredService<CorsPolicy>(),
            sp.GetRequiredService<ClientAuthenticator>(),
            sp.GetRequiredService<ClientRateLimiter>(),
            sp.GetRequiredService<ChatEndpoint>(),
            sp.GetRequiredService<CountTokensEndpoint>(),
            sp.GetRequiredService<ModelsEndpoint>(),
            sp.GetRequiredService<HealthEndpoint>(),
            sp.GetRequiredService<ManageEndpoint>(),
            sp.GetRequiredService<AdminEndpoints>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GatewayMetrics>(),
            sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
