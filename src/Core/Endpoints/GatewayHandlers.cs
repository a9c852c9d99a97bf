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
        return route.Endpoint switch
        {
            GatewayEndpoint.ChatCompletions => RunAsync(context, "chat_completions", OpenAIChatInbound.Instance, route, Access.Client, _chat.HandleChatCompletionsAsync),
            GatewayEndpoint.Messages => RunAsync(context, "messages", AnthropicInbound.Instance, route, Access.Client, _chat.HandleMessagesAsync),
            GatewayEndpoint.CountTokens => RunAsync(context, "messages_count_tokens", AnthropicInbound.Instance, route, Access.Client, _countTokens.HandleAsync),
            GatewayEndpoint.Responses => RunAsync(context, "responses", ResponsesInbound.Instance, route, Access.Client, _chat.HandleResponsesAsync),
            GatewayEndpoint.ResponsesCompact => RunAsync(context, "responses_compact", ResponsesInbound.Instance, route, Access.Client, _chat.HandleResponsesCompactAsync),
            GatewayEndpoint.Models => RunAsync(context, "models", OpenAIChatInbound.Instance, route, Access.Client, _models.HandleAsync),
            GatewayEndpoint.Health => RunAsync(context, "health", OpenAIChatInbound.Instance, route, Access.Public, _health.ReadyAsync),
            GatewayEndpoint.Live => RunAsync(context, "health_live", OpenAIChatInbound.Instance, route, Access.Public, HealthEndpoint.LiveAsync),
            GatewayEndpoint.ManageModelsRefresh => RunAsync(context, "manage_models_refresh", OpenAIChatInbound.Instance, route, Access.Admin, _manage.RefreshModelsAsync),
            GatewayEndpoint.Metrics => RunAsync(context, "metrics", OpenAIChatInbound.Instance, route, Access.Admin, _admin.Metrics.HandleAsync),
            GatewayEndpoint.ManageStats => RunAsync(context, "manage_stats", OpenAIChatInbound.Instance, route, Access.Admin, _admin.Stats.HandleAsync),
            GatewayEndpoint.ManageProviders => RunAsync(context, "manage_providers", OpenAIChatInbound.Instance, route, Access.Admin, _admin.Providers.HandleAsync),
            GatewayEndpoint.ManageOverrides => RunAsync(context, "manage_overrides", OpenAIChatInbound.Instance, route, Access.Admin, _admin.Overrides.HandleAsync),
            GatewayEndpoint.ManageRoutingDecide => RunAsync(context, "manage_routing_decide", OpenAIChatInbound.Instance, route, Access.Admin, _admin.RoutingDecision.HandleAsync),
            GatewayEndpoint.ManageSessions => RunAsync(context, "manage_sessions", OpenAIChatInbound.Instance, route, Access.Admin, _admin.Sessions.HandleAsync),
            GatewayEndpoint.ManageUi => RunAsync(context, "manage_ui", OpenAIChatInbound.Instance, route, Access.AdminPage, exchange => _admin.Page.HandleAsync(exchange, route)),
            _ => RunAsync(context, "unknown", OpenAIChatInbound.Instance, route, Access.Public, exchange => exchange.WriteErrorAsync(GatewayError.RouteNotFound())),
        };
    }

    private async Task RunAsync(HttpContext http, string logRoute, IInboundProtocol protocol, GatewayRoute route, Access access, Func<RequestExchange, Task> handle)
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

            await handle(exchange);
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
