using Gateway.Auth;
using Gateway.Chat;
using Gateway.Diagnostics;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Protocols.OpenAIChat;
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
    private static readonly string[] PostOnly = [HttpMethods.Post];
    private static readonly string[] GetOnly = [HttpMethods.Get, HttpMethods.Head];

    private readonly CorsPolicy _cors;
    private readonly ClientAuthenticator _auth;
    private readonly ClientRateLimiter _rateLimiter;
    private readonly ChatEndpoint _chat;
    private readonly CountTokensEndpoint _countTokens;
    private readonly ModelsEndpoint _models;
    private readonly HealthEndpoint _health;
    private readonly ManageEndpoint _manage;
    private readonly TimeProvider _time;
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
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _cors = cors;
        _auth = auth;
        _rateLimiter = rateLimiter;
        _chat = chat;
        _countTokens = countTokens;
        _models = models;
        _health = health;
        _manage = manage;
        _time = time;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
    }

    /// <summary>OpenAI Chat Completions (<c>/v1/chat/completions</c>, <c>/chat/completions</c>, <c>/</c>).</summary>
    public Task ChatCompletionsAsync(HttpContext context) => RunAsync(context, "chat_completions", OpenAIChatInbound.Instance, PostOnly, Access.Client, _chat.HandleChatCompletionsAsync);

    /// <summary>Anthropic Messages (<c>/v1/messages</c>).</summary>
    public Task MessagesAsync(HttpContext context) => RunAsync(context, "messages", AnthropicInbound.Instance, PostOnly, Access.Client, _chat.HandleMessagesAsync);

    /// <summary>Anthropic token count (<c>/v1/messages/count_tokens</c>).</summary>
    public Task CountTokensAsync(HttpContext context) => RunAsync(context, "messages_count_tokens", AnthropicInbound.Instance, PostOnly, Access.Client, _countTokens.HandleAsync);

    /// <summary>OpenAI model list (<c>/v1/models</c>, <c>/models</c>).</summary>
    public Task ModelsAsync(HttpContext context) => RunAsync(context, "models", OpenAIChatInbound.Instance, GetOnly, Access.Client, _models.HandleAsync);

    /// <summary>Readiness (<c>/health</c>).</summary>
    public Task HealthAsync(HttpContext context) => RunAsync(context, "health", OpenAIChatInbound.Instance, GetOnly, Access.Public, _health.ReadyAsync);

    /// <summary>Liveness (<c>/health/live</c>).</summary>
    public Task LiveAsync(HttpContext context) => RunAsync(context, "health_live", OpenAIChatInbound.Instance, GetOnly, Access.Public, HealthEndpoint.LiveAsync);

    /// <summary>Runs the model-list refresh job now (<c>POST /manage/models/refresh</c>, admin key).</summary>
    public Task ManageModelsRefreshAsync(HttpContext context) => RunAsync(context, "manage_models_refresh", OpenAIChatInbound.Instance, PostOnly, Access.Admin, _manage.RefreshModelsAsync);

    /// <summary>Any other route: 404 in the OpenAI envelope.</summary>
    public Task NotFoundAsync(HttpContext context) =>
        RunAsync(context, "unknown", OpenAIChatInbound.Instance, [context.Request.Method], Access.Public, exchange => exchange.WriteErrorAsync(GatewayError.RouteNotFound()));

    private async Task RunAsync(HttpContext http, string route, IInboundProtocol protocol, string[] methods, Access access, Func<RequestExchange, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(http);
        var exchange = new RequestExchange(http, route, protocol, _time);
        http.Response.Headers["x-request-id"] = exchange.RequestId;
        try
        {
            if (_cors.Apply(http))
            {
                return;
            }

            if (!methods.Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase))
            {
                await exchange.WriteErrorAsync(GatewayError.MethodNotAllowed());
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
                var bucket = keyName == ClientAuthenticator.AnonymousKeyName ? "ip:" + http.Connection.RemoteIpAddress : keyName;
                if (!_rateLimiter.TryAcquire(bucket, out var retryAfter))
                {
                    await exchange.WriteErrorAsync(GatewayError.RateLimited(retryAfter));
                    return;
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
            if (http.RequestAborted.IsCancellationRequested && exchange.Log.EndReason is not ("client_abort"))
            {
                exchange.Log.EndReason = "client_abort";
            }

            exchange.Log.HttpStatus = http.Response.StatusCode;
            GatewayLog.RequestCompleted(_logger, exchange.Log, _time.GetElapsedTime(exchange.Started).TotalMilliseconds);
        }
    }

    private enum Access
    {
        Public,
        Client,
        Admin,
    }
}
