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
        (string LogRoute, IInboundProtocol Protocol, Access Access) entry = route.Endpoint switch
        {
            GatewayEndpoint.ChatCompletions => ("chat_completions", OpenAIChatInbound.Instance, Access.Client),
            GatewayEndpoint.Messages => ("messages", AnthropicInbound.Instance, Access.Client),
            GatewayEndpoint.CountTokens => ("messages_count_tokens", AnthropicInbound.Instance, Access.Client),
            GatewayEndpoint.Responses => ("responses", ResponsesInbound.Instance, Access.Client),
            GatewayEndpoint.ResponsesCompact => ("responses_compact", ResponsesInbound.Instance, Access.Client),
            GatewayEndpoint.Models => ("models", OpenAIChatInbound.Instance, Access.Client),
            GatewayEndpoint.Health => ("health", OpenAIChatInbound.Instance, Access.Public),
            GatewayEndpoint.Live => ("health_live", OpenAIChatInbound.Instance, Access.Public),
            GatewayEndpoint.ManageModelsRefresh => ("manage_models_refresh", OpenAIChatInbound.Instance, Access.Admin),
            GatewayEndpoint.Metrics => ("metrics", OpenAIChatInbound.Instance, Access.Admin),
            GatewayEndpoint.ManageStats => ("manage_stats", OpenAIChatInbound.Instance, Access.Admin),
            GatewayEndpoint.ManageProviders => ("manage_providers", OpenAIChatInbound.Instance, Access.Admin),
            GatewayEndpoint.ManageOverrides => ("manage_overrides", OpenAIChatInbound.Instance, Access.Admin),
            GatewayEndpoint.ManageRoutingDecide => ("manage_routing_decide", OpenAIChatInbound.Instance, Access.Admin),
            GatewayEndpoint.ManageSessions => ("manage_sessions", OpenAIChatInbound.Instance, Access.Admin),
            GatewayEndpoint.ManageUi => ("manage_ui", OpenAIChatInbound.Instance, Access.AdminPage),
            _ => ("unknown", OpenAIChatInbound.Instance, Access.Public),
        };
        return RunAsync(context, entry.LogRoute, entry.Protocol, route, entry.Access);
    }

    // The endpoint itself, called by RunAsync once the shared checks passed (a switch, not a delegate made per request).
    private Task DispatchAsync(GatewayRoute route, RequestExchange exchange) => route.Endpoint switch
    {
        GatewayEndpoint.ChatCompletions => _chat.HandleChatCompletionsAsync(exchange),
        GatewayEndpoint.Messages => _chat.HandleMessagesAsync(exchange),
        GatewayEndpoint.CountTokens => _countTokens.HandleAsync(exchange),
        GatewayEndpoint.Responses => _chat.HandleResponsesAsync(exchange),
        GatewayEndpoint.ResponsesCompact => _chat.HandleResponsesCompactAsync(exchange),
        GatewayEndpoint.Models => _models.HandleAsync(exchange),
        GatewayEndpoint.Health => _health.ReadyAsync(exchange),
        GatewayEndpoint.Live => HealthEndpoint.LiveAsync(exchange),
        GatewayEndpoint.ManageModelsRefresh => _manage.RefreshModelsAsync(exchange),
        GatewayEndpoint.Metrics => _admin.Metrics.HandleAsync(exchange),
        GatewayEndpoint.ManageStats => _admin.Stats.HandleAsync(exchange),
        GatewayEndpoint.ManageProviders => _admin.Providers.HandleAsync(exchange),
        GatewayEndpoint.ManageOverrides => _admin.Overrides.HandleAsync(exchange),
        GatewayEndpoint.ManageRoutingDecide => _admin.RoutingDecision.HandleAsync(exchange),
        GatewayEndpoint.ManageSessions => _admin.Sessions.HandleAsync(exchange),
        GatewayEndpoint.ManageUi => _admin.Page.HandleAsync(exchange, route),
        _ => exchange.WriteErrorAsync(GatewayError.RouteNotFound()),
    };

    private async Task RunAsync(HttpContext http, string logRoute, IInboundProtocol protocol, GatewayRoute route, Access access)
    {
        ArgumentNullException.ThrowIfNull(http);
        var exchange = new RequestExchange(http, logRoute, protocol, _time, route.Template);
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
            if (access == Access.AdminPage && !_auth.AdminConfigured)
            {
                await exchange.WriteErrorAsync(GatewayError.RouteNotFound());
                return;
            }

            if (access == Access.Admin && !_auth.IsAdmin(http.Request))
            {
                await exchange.WriteErrorAsync(_auth.AdminConfigured ? GatewayError.InvalidApiKey() : GatewayError.RouteNotFound());
                return;
            }

            if (access == Access.Client)
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

            await DispatchAsync(route, exchange);
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

    private enum Access
    {
        Public,
        Client,
        Admin,
        AdminPage,
    }
}
