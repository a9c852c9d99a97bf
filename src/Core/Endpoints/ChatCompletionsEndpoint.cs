using Gateway.Auth;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Diagnostics;
using Gateway.Routing;
using Gateway.State;
using Microsoft.Extensions.Logging;

namespace Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c> (and <c>/chat/completions</c>, <c>/</c>): read and check the body, find
/// the model's targets, then stream or answer whole.
/// </summary>
internal sealed class ChatCompletionsEndpoint
{
    private readonly GatewayOptions _options;
    private readonly ModelCatalog _catalog;
    private readonly StreamingChatRunner _streaming;
    private readonly NonStreamingChatRunner _nonStreaming;
    private readonly SessionAffinity _sessions;
    private readonly CodecSelector _codecs;
    private readonly ILogger _logger;
    private readonly bool _passThroughAuth;

    public ChatCompletionsEndpoint(
        GatewayOptions options,
        ModelCatalog catalog,
        ProviderRegistry providers,
        StreamingChatRunner streaming,
        NonStreamingChatRunner nonStreaming,
        SessionAffinity sessions,
        CodecSelector codecs,
        ILoggerFactory loggers)
    {
        _options = options;
        _catalog = catalog;
        _streaming = streaming;
        _nonStreaming = nonStreaming;
        _sessions = sessions;
        _codecs = codecs;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
        _passThroughAuth = providers.All.Any(p => p.AuthMode == UpstreamAuthMode.PassThrough);
    }

    public async Task HandleAsync(RequestExchange exchange)
    {
        var http = exchange.Http;
        var (body, tooLarge) = await RequestBody.ReadAsync(http.Request, _options.Limits.MaxRequestBytes);
        if (tooLarge is not null)
        {
            await exchange.WriteErrorAsync(tooLarge);
            return;
        }

        var acceptsEventStream = http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (!OpenAIChatRequestParser.TryParse(body, acceptsEventStream, out var request, out var invalid))
        {
            await exchange.WriteErrorAsync(GatewayError.InvalidRequest(invalid!.Code, invalid.Message, invalid.Param));
            return;
        }

        var log = exchange.Log;
        log.Model = request!.Model;
        log.Stream = request.Stream;
        log.ToolsPresent = request.HasTools;

        var targets = await _catalog.ResolveAsync(request.Model, exchange.Aborted);
        if (targets.Count == 0)
        {
            await exchange.WriteErrorAsync(GatewayError.ModelNotFound(request.Model));
            return;
        }

        // Only a request that has a session touches the state store; a plain request makes no store call.
        var sessionKey = SessionKeys.For(log.KeyName, request.Model, SessionHeader(http.Request), log.Client, _sessions.ImplicitSessions);
        var preferred = sessionKey is null ? null : await _sessions.PreferredTargetAsync(sessionKey, exchange.Aborted);

        var call = new UpstreamCallContext(
            exchange.RequestId,
            exchange.Trace.ToTraceParent(),
            _passThroughAuth ? ClientAuthenticator.PresentedKey(http.Request) : null);
        var context = new ChatAttemptContext(exchange, request, _codecs.For(request), call, preferred);
        var served = request.Stream
            ? await _streaming.RunAsync(context, targets)
            : await _nonStreaming.RunAsync(context, targets);
        if (sessionKey is not null && served is not null)
        {
            // Recorded off the response path: the client is not kept waiting for the store.
            var requestId = exchange.RequestId;
            _sessions.TryRecordTurnInBackground(sessionKey, request.Model, served, ex => GatewayLog.SessionWriteFailed(_logger, requestId, ex));
        }
    }

    private static string? SessionHeader(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        foreach (var name in SessionKeys.Headers)
        {
            var value = request.Headers[name].ToString();
            if (value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }
}
