using Gateway.Auth;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Routing;

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
    private readonly bool _passThroughAuth;

    public ChatCompletionsEndpoint(GatewayOptions options, ModelCatalog catalog, ProviderRegistry providers, StreamingChatRunner streaming, NonStreamingChatRunner nonStreaming)
    {
        _options = options;
        _catalog = catalog;
        _streaming = streaming;
        _nonStreaming = nonStreaming;
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

        var call = new UpstreamCallContext(
            exchange.RequestId,
            exchange.Trace.ToTraceParent(),
            _passThroughAuth ? ClientAuthenticator.PresentedKey(http.Request) : null);
        var context = new ChatAttemptContext(exchange, request, call);
        if (request.Stream)
        {
            await _streaming.RunAsync(context, targets);
        }
        else
        {
            await _nonStreaming.RunAsync(context, targets);
        }
    }
}
