using System.Text.Json;
using Gateway.Auth;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Protocols.OpenAIChat;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.State;
using Gateway.Tools;
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
    private readonly ResponseHistory _responses;
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
        ResponseHistory responses,
        ILoggerFactory loggers)
    {
        _responses = responses;
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

    /// <summary><c>POST /v1/responses</c>.</summary>
    public Task HandleResponsesAsync(RequestExchange exchange) => HandleAsync(exchange, WireFormat.OpenAIResponses);

    /// <summary>
    /// <c>POST /v1/responses/compact</c>: the target model summarises the input (one non-stream call with
    /// failover, like any other), and the client gets the compacted history (<see cref="ResponsesCompaction"/>).
    /// </summary>
    public async Task HandleResponsesCompactAsync(RequestExchange exchange)
    {
        if (await ReadAsync(exchange, WireFormat.OpenAIResponses, countTokens: false) is not { } read
            || await PrepareResponsesAsync(exchange, read, compaction: true) is not { } parsed)
        {
            return;
        }

        var request = new ChatRequest
        {
            Format = WireFormat.OpenAIResponses,
            Body = parsed.Body,
            Model = parsed.Model,
            Stream = false,
            ClientWantsUsage = false,
            ChoiceCount = 1,
            HasTools = parsed.HasTools,
            LegacyFunctions = false,
            ThinkingBudget = null,
            SessionHint = parsed.SessionHint,
            Compaction = true,
        };
        exchange.Log.Stream = false;
        if (await ResolveAsync(exchange, request) is not { } targets)
        {
            return;
        }

        if (request.Conversation is { } conversation)
        {
            // Read only when a target translates; an upstream with its own Responses API compacts the body itself.
            ResponsesCompaction.Prepare(conversation);
        }

        var context = new ChatAttemptContext(exchange, request, _codecs.For(request, exchange.Log.KeyName, exchange.RequestId), Call(exchange), null);
        await _nonStreaming.RunAsync(context, targets);
    }

    private async Task HandleAsync(RequestExchange exchange, WireFormat format)
    {
        if (await ReadAsync(exchange, format, countTokens: false) is not { } request)
        {
            return;
        }

        if (format == WireFormat.OpenAIResponses)
        {
            if (await PrepareResponsesAsync(exchange, request, compaction: false) is not { } prepared)
            {
                return;
            }

            request = prepared;
        }

        var log = exchange.Log;
        var targets = await ResolveAsync(exchange, request);
        if (targets is null)
        {
            return;
        }

        // Only a request that has a session touches the state store; a plain request makes no store call.
        var http = exchange.Http;
        var sessionId = SessionHeader(http.Request) ?? request.SessionHint;

        // "new" starts a chat-site session afresh: nothing stored is sent, and the new one is kept under the
        // key's own session for this model and client (continued by requests without a session header when
        // ImplicitSessions is on).
        var fresh = string.Equals(sessionId?.Trim(), "new", StringComparison.OrdinalIgnoreCase);
        var sessionKey = fresh
            ? SessionKeys.For(log.KeyName, request.Model, null, log.Client, implicitSessions: true)
            : SessionKeys.For(log.KeyName, request.Model, sessionId, log.Client, _sessions.ImplicitSessions);
        var preferred = sessionKey is null ? null : await _sessions.PreferredTargetAsync(sessionKey, exchange.Aborted);
        if (sessionKey is not null && !fresh && targets.Any(t => t.Provider.Kind == ProviderKind.ChatSite))
        {
            request.SiteSession = await _sessions.SiteSessionAsync(sessionKey, exchange.Aborted);
        }

        var context = new ChatAttemptContext(exchange, request, _codecs.For(request, log.KeyName, exchange.RequestId), Call(exchange), preferred);
        var served = request.Stream
            ? await _streaming.RunAsync(context, targets)
            : await _nonStreaming.RunAsync(context, targets);
        if (sessionKey is not null && served is not null)
        {
            // Recorded off the response path: the client is not kept waiting for the store.
            var requestId = exchange.RequestId;
            _sessions.TryRecordTurnInBackground(sessionKey, request.Model, served, ex => GatewayLog.SessionWriteFailed(_logger, requestId, ex), request.AnsweredSiteSession);
        }
    }

    /// <summary>
    /// A Responses request as it goes to the targets: continued from its <c>previous_response_id</c> (the kept
    /// history put before its input), and marked to be kept when <c>State:KeepResponses</c> is on and the
    /// client did not send <c>store:false</c>. A compaction is continued the same way (its summary must cover the
    /// kept history too) but is never kept itself. Null when the client already got its 400.
    /// </summary>
    private async Task<ChatRequest?> PrepareResponsesAsync(RequestExchange exchange, ChatRequest request, bool compaction)
    {
        var body = request.Body;
        var input = body.TryGet("input", out var member) ? InputItems(body, member) : [];
        string? previousId = null;
        if (body.TryGet("previous_response_id", out var previous) && previous.ValueKind == System.Text.Json.JsonTokenType.String)
        {
            body.TryGetString(previous, out previousId);
            if (!_responses.Enabled && await AllServeResponsesAsync(exchange, request))
            {
                // Nothing kept here, and every target keeps its own responses: the id is theirs to resolve.
                return request;
            }

            var history = _responses.Enabled && previousId is not null ? await _responses.LoadAsync(exchange.Log.KeyName, previousId, exchange.Aborted) : null;
            if (history is null)
            {
                await exchange.WriteErrorAsync(GatewayError.InvalidRequest(
                    "previous_response_not_found",
                    _responses.Enabled
                        ? $"Previous response with id '{previousId}' not found (unknown, expired, or made with another key)."
                        : "Previous response not found: this gateway keeps no responses (State:KeepResponses is off); send the whole input instead of previous_response_id.",
                    "previous_response_id"));
                return null;
            }

            var rewritten = new JsonObjectRewriter(body)
                .SetRaw("input", System.Text.Encoding.UTF8.GetBytes("[" + string.Join(",", history.Concat(input)) + "]"))
                .Remove("previous_response_id")
                .ToMemory();
            if (!ResponsesRequestParser.TryParse(rewritten, request.Stream, out var continued, out var invalid))
            {
                await exchange.WriteErrorAsync(GatewayError.InvalidRequest(invalid!.Code, invalid.Message, invalid.Param));
                return null;
            }

            request = continued!;
        }

        request.PreviousResponseId = previousId;
        if (!compaction)
        {
            request.KeptInput = input;
            request.KeepResponse = _responses.Enabled && !(body.TryGet("store", out var store) && store.ValueKind == System.Text.Json.JsonTokenType.False);
        }

        return request;
    }

    private async Task<bool> AllServeResponsesAsync(RequestExchange exchange, ChatRequest request)
    {
        var targets = await _catalog.ResolveAsync(request.Model, exchange.Aborted);
        return targets.Count > 0 && targets.All(t => t.Provider.ResponsesUri is not null);
    }

    // The request's own input items as raw JSON; a string input is the user message it stands for.
    private static List<string> InputItems(JsonObjectIndex body, in JsonMember member)
    {
        var reader = new System.Text.Json.Utf8JsonReader(body.ValueOf(member));
        reader.Read();
        if (reader.TokenType == System.Text.Json.JsonTokenType.String)
        {
            var text = System.Text.Encoding.UTF8.GetString(body.ValueOf(member));
            return ["{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":" + text + "}]}"];
        }

        var items = new List<string>();
        while (reader.Read() && reader.TokenType != System.Text.Json.JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            items.Add(System.Text.Encoding.UTF8.GetString(body.ValueOf(member)[start..(int)reader.BytesConsumed]));
        }

        return items;
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

        var acceptsEventStream = PrefersEventStream(http.Request.Headers.Accept.ToString());
        ChatRequest? request;
        ChatRequestError? invalid;
        var parsed = format switch
        {
            WireFormat.AnthropicMessages => AnthropicRequestParser.TryParse(body, acceptsEventStream, countTokens, out request, out invalid),
            WireFormat.OpenAIResponses => ResponsesRequestParser.TryParse(body, acceptsEventStream, out request, out invalid),
            _ => OpenAIChatRequestParser.TryParse(body, acceptsEventStream, out request, out invalid),
        };
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

    // The latest steps of a turn whose Gemini signatures are looked up; older ones get the skip sentinel.
    private const int MaxGeminiSteps = 8;

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

        exchange.Log.ModelResolved = true;

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

            // A chat site cannot tell a tool result that answers nothing: the client hears of it first.
            if (targets.Any(t => t.Provider.Kind == ProviderKind.ChatSite) && ToolResultValidator.Validate(conversation) is { } invalid)
            {
                await exchange.WriteErrorAsync(invalid);
                return null;
            }

            // OpenAI Chat cannot carry thinking signatures: a tool-using turn an Anthropic target answered
            // gets its remembered thinking back (only this case calls the store without a session).
            if (request.Format == WireFormat.OpenAIChat && conversation.Reasoning is { Disabled: false }
                && targets.Any(t => t.Provider.Kind == ProviderKind.Anthropic))
            {
                await _thinking.RestoreAsync(conversation, exchange.Log.KeyName, exchange.Aborted);
            }

            // Gemini wants every step's thoughtSignature back, whether or not the client asked for reasoning.
            if (request.Format == WireFormat.OpenAIChat && targets.Any(t => t.Provider.Kind == ProviderKind.Gemini))
            {
                await _thinking.RestoreStepsAsync(conversation, exchange.Log.KeyName, MaxGeminiSteps, exchange.Aborted);
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
            return request.Conversation = request.Format switch
            {
                WireFormat.AnthropicMessages => AnthropicRequestReader.Read(request),
                WireFormat.OpenAIResponses => ResponsesRequestReader.Read(request),
                _ => OpenAIChatRequestReader.Read(request),
            };
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
            exchange.TraceParent,
            _passThroughAuth ? ClientAuthenticator.PresentedKey(request) : null)
        {
            AnthropicVersion = request.Headers["anthropic-version"].ToString() is { Length: > 0 } version ? version : null,
            AnthropicBeta = request.Headers["anthropic-beta"].ToString() is { Length: > 0 } beta ? beta : null,
        };
    }

    /// <summary>
    /// SPEC §5: a request without <c>stream</c> streams when the client asks for <c>text/event-stream</c>. A client
    /// that lists it after <c>application/json</c> (the OpenAI SDK's non-stream calls send both) prefers JSON.
    /// </summary>
    internal static bool PrefersEventStream(string accept)
    {
        var first = accept.AsSpan();
        var comma = first.IndexOf(',');
        if (comma >= 0)
        {
            first = first[..comma];
        }

        var semicolon = first.IndexOf(';');
        if (semicolon >= 0)
        {
            first = first[..semicolon];
        }

        return first.Trim().Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);
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
