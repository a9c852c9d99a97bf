using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Protocols.Gemini;
using Gateway.Providers;
using Gateway.Routing;
using Microsoft.Extensions.Logging;

namespace Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: forwarded to the model's Anthropic-kind targets (in routing
/// order; an upstream's client-mistake answer is relayed as it is) or Gemini-kind ones (<c>:countTokens</c>,
/// its <c>totalTokens</c> answered as <c>input_tokens</c>, a client mistake in Anthropic's envelope); when
/// the model has none, or none answers, counted with the tokenizer over system, messages and tools and
/// marked estimated in the log.
/// </summary>
internal sealed class CountTokensEndpoint
{
    private const int MaxAnswerBytes = 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ChatEndpoint _chat;
    private readonly TokenEstimator _estimator;
    private readonly UpstreamSender _sender;
    private readonly FailoverPlan _plan;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CountTokensEndpoint(ChatEndpoint chat, TokenEstimator estimator, UpstreamSender sender, FailoverPlan plan, TimeProvider time, ILoggerFactory loggers)
    {
        _chat = chat;
        _estimator = estimator;
        _sender = sender;
        _plan = plan;
        _time = time;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
    }

    public async Task HandleAsync(RequestExchange exchange)
    {
        if (await _chat.ReadAsync(exchange, WireFormat.AnthropicMessages, countTokens: true) is not { } request
            || await _chat.ResolveAsync(exchange, request) is not { } targets)
        {
            return;
        }

        foreach (var target in _plan.Order(targets))
        {
            if (target.Provider.Kind is ProviderKind.Anthropic or ProviderKind.Gemini && await ForwardAsync(exchange, request, target))
            {
                return;
            }
        }

        if ((request.Conversation ?? await ChatEndpoint.ReadConversationAsync(exchange, request)) is not { } conversation)
        {
            return;
        }

        var tokens = _estimator.CountPrompt(conversation);
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

    // True when the client got the upstream's answer; false to try the next target or count locally.
    private async Task<bool> ForwardAsync(RequestExchange exchange, ChatRequest request, RouteTarget target)
    {
        var log = exchange.Log;
        log.Provider = target.Provider.Id;
        log.TargetModel = target.Model;
        log.Attempts++;
        using var timeout = new CancellationTokenSource(Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(exchange.Aborted, timeout.Token);
        try
        {
            var gemini = target.Provider.Kind == ProviderKind.Gemini;
            if (UntranslatableRequest.TryWrite(
                    (request, target, gemini),
                    static s => s.gemini
                        ? GeminiRequestWriter.CountTokensBody(s.request, s.target)
                        : AnthropicPassThroughCodec.Body(s.request, s.target, stream: false, countTokens: true),
                    request,
                    out var body) is { } untranslatable)
            {
                log.EndReason = "invalid_request";
                await exchange.WriteErrorAsync(GatewayError.InvalidRequest("invalid_request", untranslatable.ClientMessage!, null));
                return true;
            }

            using var response = await _sender.SendCountTokensAsync(target, body, _chat.Call(exchange), linked.Token);
            var status = (int)response.StatusCode;
            log.UpstreamStatus = status;
            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token);
            if (await BoundedRead.ReadAsync(stream, response.Content.Headers.ContentLength, MaxAnswerBytes, linked.Token) is not { } answer)
            {
                return false;
            }

            if (response.IsSuccessStatusCode && gemini)
            {
                if (TotalTokens(answer.Span) is not { } total)
                {
                    GatewayLog.AttemptFailed(_logger, exchange.RequestId, target.Provider.Id, target.Model, new UpstreamFailure(FailureKind.BadResponse, status, "no totalTokens"));
                    return false;
                }

                log.PromptTokens = total;
                await JsonResponse.WriteAsync(exchange, 200, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("input_tokens", total);
                    writer.WriteEndObject();
                });
                return true;
            }

            if (response.IsSuccessStatusCode)
            {
                log.PromptTokens = InputTokens(answer.Span);
                await Relay(exchange, 200, answer);
                return true;
            }

            var failure = (gemini
                ? GeminiErrors.FromResponse(target.Provider, response.StatusCode, response.Headers, answer.Span)
                : FailureClassifier.FromStatus(target.Provider, response.StatusCode, response.Headers, null)) with { Upstream = UpstreamErrorDetail.Read(answer.Span) };
            if (failure.Kind == FailureKind.ClientError)
            {
                log.EndReason = "invalid_request";
                if (gemini)
                {
                    // Gemini's error body is not Anthropic's shape: its message goes in the client's envelope.
                    await exchange.WriteErrorAsync(failure.ToClientError(anyAuthFailure: false));
                }
                else
                {
                    await Relay(exchange, status, answer);
                }

                return true;
            }

            GatewayLog.AttemptFailed(_logger, exchange.RequestId, target.Provider.Id, target.Model, failure);
            log.UpstreamError = failure.Upstream;
            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or UpstreamTokenException || (ex is OperationCanceledException && !exchange.Aborted.IsCancellationRequested))
        {
            var kind = ex.GetType().Name;
            GatewayLog.AttemptFailed(_logger, exchange.RequestId, target.Provider.Id, target.Model, new UpstreamFailure(FailureKind.Transport, null, kind));
            return false;
        }
    }

    private static async Task Relay(RequestExchange exchange, int status, ReadOnlyMemory<byte> body)
    {
        var response = exchange.Http.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, exchange.Aborted);
    }

    private static int? TotalTokens(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("totalTokens", out var total)
                && total.ValueKind == JsonValueKind.Number && total.TryGetInt32(out var tokens) && tokens >= 0
                ? tokens
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? InputTokens(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals("input_tokens"u8);
                reader.Read();
                if (match && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var tokens))
                {
                    return tokens;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Relayed as the upstream sent it; the log just has no count.
        }

        return null;
    }
}
