using Gateway.Chat;
using Gateway.Diagnostics;
using Gateway.Pipeline;

namespace Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: Anthropic's token count of a request. Counted with the tokenizer
/// over system, messages and tools (marked estimated in the log).
/// </summary>
internal sealed class CountTokensEndpoint
{
    private readonly ChatEndpoint _chat;
    private readonly TokenEstimator _estimator;

    public CountTokensEndpoint(ChatEndpoint chat, TokenEstimator estimator)
    {
        _chat = chat;
        _estimator = estimator;
    }

    public async Task HandleAsync(RequestExchange exchange)
    {
        if (await _chat.ReadAsync(exchange, WireFormat.AnthropicMessages, countTokens: true) is not { } request
            || await _chat.ResolveAsync(exchange, request, needsConversation: true) is null)
        {
            return;
        }

        var tokens = _estimator.CountPrompt(request.Conversation!);
        var log = exchange.Log;
        log.PromptTokens = tokens;
        log.CompletionTokens = 0;
        log.UsageEstimated = true;
        await JsonResponse.WriteAsync(exchange, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("input_tokens", tokens);
            writer.WriteEndObject();
        });
    }
}
