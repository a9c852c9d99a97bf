using Gateway.Admin;
using Gateway.Auth;
using Gateway.Chat;
using Gateway.Diagnostics;
using Gateway.Metrics;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Protocols.OpenAIChat;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Endpoints;

/// <summary>
/// The entry points both hosts map to their routes. Each does what every route shares (request id,
/// CORS, method check, client key, rate limit, the completion log line) and hands over to its endpoint.
/// </summary>
public sealed class GatewayHandlers
{
    private readonly CorsPolicy _cors;
    private readonly ClientAuthenticator _auth;
    private readonly ClientRateLimiter _rateLimiter;
    private readonly ChatEndpoint _chat;
    private readonly CountTokensEndpoint _countTokens;
    private readonly ModelsEndpoint _models;
    private readonly HealthEndpoint _health;
    private readonly ManageEndpoint _manage;
    private readonly AdminEndpoints _admin;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;

    internal GatewayHandlers(
        CorsPolicy cors,
        ClientAuthenticator auth,
        ClientRateLimiter rateLimiter,
        ChatEndpoint chat,
        CountTokensEndpoint countTokens,
        ModelsEndpoint models,
        HealthEndpoint health,
        ManageEndpoint manage,
        AdminEndpoints admin,
        TimeProvider time,
        GatewayMetrics metrics,
        ILoggerFactory loggers)
    {
        _metrics = metrics;
        _cors = cors;
        _auth = auth;
        _rateLimiter = rateLimiter;
        _chat = chat;
        _countTokens = countTokens;
        _models = models;
        _health = health;
        _manage = manage;
        _admin = admin;
        _time = time;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
    }

    /// <summary>Runs <paramref name="route"/>'s endpoint for one request; both hosts call this for every route of <see cref="GatewayRouteTable"/>.</summary>
    public Task HandleAsync(GatewayRoute route, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(route);
        return RunAsync(context, route, EntryFor(route.Endpoint));
    }

    // What each endpoint logs as its route, speaks and requires, and the handler RunAsync calls once the shared checks
    // passed: one table, a value per request and static lambdas (no delegate made per request).
    private static Entry EntryFor(GatewayEndpoint endpoint) => endpoint switch
    {
        GatewayEndpoint.ChatCompletions => new("chat_completions", OpenAIChatInbound.Instance, Access.Client, static (h, x, _) => h._chat.HandleChatCompletionsAsync(x)),
        GatewayEndpoint.Messages => new("messages", AnthropicInbound.Instance, Access.Client, static (h, x, _) => h._chat.HandleMessagesAsync(x)),
        GatewayEndpoint.CountTokens => new("messages_count_tokens", AnthropicInbound.Instance, Access.Client, static (h, x, _) => h._countTokens.HandleAsync(x)),
        GatewayEndpoint.Responses => new("responses", ResponsesInbound.Instance, Access.Client, static (h, x, _) => h._chat.HandleResponsesAsync(x)),
        GatewayEndpoint.ResponsesCompact => new("responses_compact", ResponsesInbound.Instance, Access.Client, static (h, x, _) => h._chat.HandleResponsesCompactAsync(x)),
        GatewayEndpoint.Models => new("models", OpenAIChatInbound.Instance, Access.Client, static (h, x, _) => h._models.HandleAsync(x)),
        GatewayEndpoint.Health => new("health", OpenAIChatInbound.Instance, Access.Public, static (h, x, _) => h._health.ReadyAsync(x)),
        GatewayEndpoint.Live => new("health_live", OpenAIChatInbound.Instance, Access.Public, static (h, x, _) => HealthEndpoint.LiveAsync(x)),
        GatewayEndpoint.ManageModelsRefresh => new("manage_models_refresh", OpenAIChatInbound.Instance, Access.Admin, static (h, x, _) => h._manage.RefreshModelsAsync(x)),
        GatewayEndpoint.Metrics => new("metrics", OpenAIChatInbound.Instance, Access.Admin, static (h, x, _) => h._admin.Metrics.HandleAsync(x)),
        GatewayEndpoint.ManageStats => new("manage_stats", OpenAIChatInbound.Instance, Access.Admin, static (h, x, _) => h._admin.Stats.HandleAsync(x)),
        GatewayEndpoint.ManageProviders => new("manage_providers", OpenAIChatInbound.Instance, Access.Admin, static (h, x, _) => h._admin.Providers.HandleAsync(x)),
        GatewayEndpoint.ManageOverrides => new("manage_overrides", OpenAIChatInbound.Instance, Access.Admin, static (h, x, _) => h._admin.Overrides.HandleAsync(x)),
        GatewayEndpoint.ManageRoutingDecide => new("manage_routing_decide", OpenAIChatInbound.Instance, Access.Admin, static (h, x, _) => h._admin.RoutingDecision.HandleAsync(x)),
        GatewayEndpoint.ManageSessions => new("manage_sessions", OpenAIChatInbound.Instance, Access.Admin, static (h, x, _) => h._admin.Sessions.HandleAsync(x)),
        GatewayEndpoint.ManageUi => new("manage_ui", OpenAIChatInbound.Instance, Access.AdminPage, static (h, x, r) => h._admin.Page.HandleAsync(x, r)),
        _ => new("unknown", OpenAIChatInbound.Instance, Access.Public, static (h, x, _) => x.WriteErrorAsync(GatewayError.RouteNotFound())),
    };

    private async Task RunAsync(HttpContext http, GatewayRoute route, Entry entry)
    {
        ArgumentNullException.ThrowIfNull(http);
        var exchange = new RequestExchange(http, entry.LogRoute, entry.Protocol, _time, route.Template);
        http.Response.Headers["x-request-id"] = exchange.RequestId;
        try
        {
            // Only routes that list OPTIONS answer a preflight (the same routes Functions binds OPTIONS to).
            if (_cors.Apply(http, route.AnswersPreflight))
            {
                return;
            }

            if (!route.Accepts(http.Request.Method))
            {
                await exchange.WriteErrorAsync(GatewayError.MethodNotAllowed());
                return;
            }

            // The page holds no data (it asks for the key and sends it with each call), but it exists only where an admin key does.
            if (entry.Access == Access.AdminPage && !_auth.AdminConfigured)
            {
                await exchange.WriteErrorAsync(GatewayError.RouteNotFound());
                return;
            }

            if (entry.Access == Access.Admin && !_auth.IsAdmin(http.Request))
            {
                await exchange.WriteErrorAsync(_auth.AdminConfigured ? GatewayError.InvalidApiKey() : GatewayError.RouteNotFound());
                return;
            }

            if (entry.Access == Access.Client)
            {
                if (!_auth.TryAuthenticate(http.Request, out var keyName))
                {
                    await exchange.WriteErrorAsync(GatewayError.InvalidApiKey());
                    return;
                }

                exchange.Log.KeyName = keyName;

                // The bucket key (an address formatted into a string) is built only when there is a limit to apply.
                if (_rateLimiter.Enabled)
                {
                    var bucket = keyName == ClientAuthenticator.AnonymousKeyName ? "ip:" + http.Connection.RemoteIpAddress : keyName;
                    if (!_rateLimiter.TryAcquire(bucket, out var retryAfter))
                    {
                        await exchange.WriteErrorAsync(GatewayError.RateLimited(retryAfter));
                        return;
                    }
                }
            }

            await entry.Handle(this, exchange, route);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            exchange.Log.EndReason = "client_abort";
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            GatewayLog.Unexpected(_logger, exchange.RequestId, ex);
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                http.Response.Headers["x-request-id"] = exchange.RequestId;
                await exchange.WriteErrorAsync(GatewayError.Internal());
            }
            else
            {
                exchange.Log.EndReason = "adapter_error";
                http.Abort();
            }
        }
        finally
        {
            if (http.RequestAborted.IsCancellationRequested && !exchange.Log.Delivered && exchange.Log.EndReason is not ("client_abort"))
            {
                exchange.Log.EndReason = "client_abort";
            }

            exchange.Log.HttpStatus = http.Response.StatusCode;
            var elapsed = _time.GetElapsedTime(exchange.Started);
            GatewayLog.RequestCompleted(_logger, exchange.Log, elapsed.TotalMilliseconds);
            _metrics.RequestCompleted(exchange.Log, elapsed.TotalSeconds);
            RequestSpan.End(exchange.Span, exchange.Log);
        }
    }

    private readonly record struct Entry(string LogRoute, IInboundProtocol Protocol, Access Access, Func<GatewayHandlers, RequestExchange, GatewayRoute, Task> Handle);

    private enum Access
    {
        Public,
        Client,
        Admin,
        AdminPage,
    }
}
