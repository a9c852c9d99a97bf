using System.Text.Json;
using Gateway.Auth;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.State;
using Microsoft.Extensions.Logging;

namespace Gateway.Endpoints;

/// <summary>
/// The chat routes of every client format (<c>POST /v1/chat/completions</c>, <c>/v1/messages</c>): read and
/// check the body in the client's format, find the model's targets, read the neutral conversation when
/// some target speaks another format, then stream or answer whole.
/// </summary>
internal sealed class ChatEndpoint
{
    private readonly GatewayOptions _options;
    private readonly ModelCatalog _catalog;
    private readonly StreamingChatRunner _streaming;
    private readonly NonStreamingChatRunner _nonStreaming;
    private readonly SessionAffinity _sessions;
    private readonly CodecSelector _codecs;
    private readonly ThinkingMemory _thinking;
    private readonly ILogger _logger;
    private readonly bool _passThroughAuth;

    public ChatEndpoint(
        GatewayOptions options,
        ModelCatalog catalog,
        ProviderRegistry providers,
        StreamingChatRunner streaming,
        NonStreamingChatRunner nonStreaming,
        SessionAffinity sessions,
        CodecSelector codecs,
        ThinkingMemory thinking,
        ILoggerFactory loggers)
    {
        _options = options;
        _catalog = catalog;
        _streaming = streaming;
        _nonStreaming = nonStreaming;
        _sessions = sessions;
        _codecs = codecs;
        _thinking = thinking;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
        _passThroughAuth = providers.All.Any(p => p.AuthMode == UpstreamAuthMode.PassThrough);
    }

    /// <summary><c>POST /v1/chat/completions</c> (and <c>/chat/completions</c>, <c>/</c>).</summary>
    public Task HandleChatCompletionsAsync(RequestExchange exchange) => HandleAsync(exchange, WireFormat.OpenAIChat);

    /// <summary><c>POST /v1/messages</c>.</summary>
    public Task HandleMessagesAsync(RequestExchange exchange) => HandleAsync(exchange, WireFormat.AnthropicMessages);

    private async Task HandleAsync(RequestExchange exchange, WireFormat format)
    {
        if (await ReadAsync(exchange, format, countTokens: false) is not { } request)
        {
            return;
        }

        var log = exchange.Log;
        var targets = await ResolveAsync(exchange, request);
        if (targets is null)
        {
            return;
        }

        // Only a request that has a session touches the state store; a plain request makes no store call.
        var http = exchange.Http;
        var sessionKey = SessionKeys.For(log.KeyName, request.Model, SessionHeader(http.Request), log.Client, _sessions.ImplicitSessions);
        var preferred = sessionKey is null ? null : await _sessions.PreferredTargetAsync(sessionKey, exchange.Aborted);

        var context = new ChatAttemptContext(exchange, request, _codecs.For(request, log.KeyName, exchange.RequestId), Call(exchange), preferred);
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

    /// <summary>Reads and checks the body; null when the client already got its error.</summary>
    internal async ValueTask<ChatRequest?> ReadAsync(RequestExchange exchange, WireFormat format, bool countTokens)
    {
        var http = exchange.Http;
        var (body, tooLarge) = await RequestBody.ReadAsync(http.Request, _options.Limits.MaxRequestBytes);
        if (tooLarge is not null)
        {
            await exchange.WriteErrorAsync(tooLarge);
            return null;
        }

        var acceptsEventStream = http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
        var parsed = format == WireFormat.AnthropicMessages
            ? AnthropicRequestParser.TryParse(body, acceptsEventStream, countTokens, out var request, out var invalid)
            : OpenAIChatRequestParser.TryParse(body, acceptsEventStream, out request, out invalid);
        if (!parsed)
        {
            await exchange.WriteErrorAsync(GatewayError.InvalidRequest(invalid!.Code, invalid.Message, invalid.Param));
            return null;
        }

        var log = exchange.Log;
        log.Model = request!.Model;
        log.Stream = request.Stream;
        log.ToolsPresent = request.HasTools;
        return request;
    }

    /// <summary>
    /// The model's targets, with the neutral conversation read when one of them speaks another format;
    /// null when the client already got its error (unknown model, a request no target can serve).
    /// </summary>
    internal async ValueTask<IReadOnlyList<RouteTarget>?> ResolveAsync(RequestExchange exchange, ChatRequest request)
    {
        var targets = await _catalog.ResolveAsync(request.Model, exchange.Aborted);
        if (targets.Count == 0)
        {
            await exchange.WriteErrorAsync(GatewayError.ModelNotFound(request.Model));
            return null;
        }

        if (request.ChoiceCount > 1)
        {
            // Only the OpenAI byte path keeps several choices; no other format has them.
            var passThrough = new List<RouteTarget>(targets.Count);
            foreach (var target in targets)
            {
                if (CodecSelector.PassesThrough(request, target))
                {
                    passThrough.Add(target);
                }
            }

            if (passThrough.Count == 0)
            {
                await exchange.WriteErrorAsync(GatewayError.InvalidRequest("invalid_request", "n greater than 1 is not supported for this model (its upstreams speak another format).", "n"));
                return null;
            }

            targets = passThrough;
        }

        if (request.Conversation is null && !AllPassThrough(request, targets))
        {
            if (await ReadConversationAsync(exchange, request) is not { } conversation)
            {
                return null;
            }

            // OpenAI Chat cannot carry thinking signatures: a tool-using turn an Anthropic target answered
            // gets its remembered thinking back (only this case calls the store without a session).
            if (request.Format == WireFormat.OpenAIChat && conversation.Reasoning is { Disabled: false }
                && targets.Any(t => t.Provider.Kind == ProviderKind.Anthropic))
            {
                await _thinking.RestoreAsync(conversation, exchange.Log.KeyName, exchange.Aborted);
            }
        }

        return targets;
    }

    // A loop, not Any with a lambda: the lambda's capture of the request was an allocation on every request.
    private static bool AllPassThrough(ChatRequest request, IReadOnlyList<RouteTarget> targets)
    {
        foreach (var target in targets)
        {
            if (!CodecSelector.PassesThrough(request, target))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads (and keeps) the neutral conversation; null when the client already got its 400.</summary>
    internal static async Task<Conversation?> ReadConversationAsync(RequestExchange exchange, ChatRequest request)
    {
        try
        {
            return request.Conversation = request.Format == WireFormat.AnthropicMessages
                ? AnthropicRequestReader.Read(request)
                : OpenAIChatRequestReader.Read(request);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // The reader decodes every string it translates: one that is not valid Unicode is named.
            await exchange.WriteErrorAsync(JsonStrings.FindUndecodable(request.Body.Source.Span) is { } field
                ? GatewayError.InvalidRequest("invalid_json", JsonStrings.Undecodable(field), field)
                : GatewayError.InvalidRequest("invalid_request", "The request could not be read: " + ex.Message, null));
            return null;
        }
    }

    internal UpstreamCallContext Call(RequestExchange exchange)
    {
        var request = exchange.Http.Request;
        return new UpstreamCallContext(
            exchange.RequestId,
            exchange.Trace.ToTraceParent(),
            _passThroughAuth ? ClientAuthenticator.PresentedKey(request) : null)
        {
            AnthropicVersion = request.Headers["anthropic-version"].ToString() is { Length: > 0 } version ? version : null,
            AnthropicBeta = request.Headers["anthropic-beta"].ToString() is { Length: > 0 } beta ? beta : null,
        };
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
