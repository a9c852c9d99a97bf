using System.Text.Json;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Streaming;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.ChatSite;

/// <summary>
/// A chat site's answer as neutral updates. The stream is a UI message stream — <c>start</c> (with the
/// site's <c>sessionId</c>/<c>exchangeId</c> in <c>messageMetadata</c>), <c>text-delta</c>,
/// <c>reasoning-delta</c>, <c>finish</c>, <c>error</c>; other frame types carry nothing here. A whole answer
/// is <c>{content}</c>, <c>{text}</c> or <c>{parts:[{type,text}]}</c>. Text in <c>&lt;thinking&gt;</c>
/// tags (PromptTags) becomes reasoning. The site's session ids go to <see cref="ChatRequest.AnsweredSiteSession"/>.
/// </summary>
internal sealed class ChatSiteDecoder : IUpstreamDecoder
{
    private readonly ChatRequest _request;
    private readonly SiteSessionUse? _use;
    private readonly string? _nonce;
    private readonly ThinkingTagSplitter _thinking = new();
    private bool _finished;

    /// <param name="request">The request whose <see cref="ChatRequest.AnsweredSiteSession"/> gets the site's ids.</param>
    /// <param name="use">This turn's conversation and tools, recorded with the ids.</param>
    /// <param name="nonce">The tool-protocol nonce this turn's query used.</param>
    public ChatSiteDecoder(ChatRequest request, SiteSessionUse? use = null, string? nonce = null)
    {
        _request = request;
        _use = use;
        _nonce = nonce;
    }

    public StreamStep Decode(in SseEvent upstream, List<ChatUpdate> updates)
    {
        using var document = JsonDocument.Parse(upstream.Data);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return StreamStep.Malformed;
        }

        switch (String(root, "type"))
        {
            case "start":
                KeepSession(root);
                updates.Add(new ChatUpdate { Kind = ChatUpdateKind.Start, AnnouncesRole = true });
                break;
            case "message-metadata":
                KeepSession(root);
                break;
            case "text-delta" or "text":
                if (Delta(root) is { Length: > 0 } text && !_finished)
                {
                    _thinking.Process(text, updates);
                }

                break;
            case "reasoning-delta" or "reasoning":
                if (Delta(root) is { Length: > 0 } reasoning && !_finished)
                {
                    updates.Add(ChatUpdate.ReasoningDelta(reasoning));
                }

                break;
            case "finish":
                KeepSession(root);
                Finish(FinishOf(String(root, "finishReason")), updates);
                break;
            case "error" or "abort":
                return StreamStep.UpstreamError;
            case null:
                return StreamStep.Malformed;
        }

        return StreamStep.Preamble;
    }

    public bool DecodeWhole(ReadOnlySpan<byte> body, List<ChatUpdate> updates)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("error", out _))
        {
            return false;
        }

        string? text = String(root, "content") ?? String(root, "text");
        var reasoning = string.Empty;
        if (text is null && root.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            text = string.Concat(parts.EnumerateArray().Where(p => String(p, "type") is "text" or null).Select(p => String(p, "text")));
            reasoning = string.Concat(parts.EnumerateArray().Where(p => String(p, "type") == "reasoning").Select(p => String(p, "text")));
        }

        if (text is null)
        {
            return false;
        }

        KeepSession(root);
        updates.Add(new ChatUpdate { Kind = ChatUpdateKind.Start, AnnouncesRole = true });
        if (reasoning.Length > 0)
        {
            updates.Add(ChatUpdate.ReasoningDelta(reasoning));
        }

        _thinking.Process(text, updates);
        Finish(FinishOf(String(root, "finishReason")), updates);
        return true;
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> data, int status, string detail)
    {
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(data.ToArray());
            var root = document.RootElement;
            message = String(root, "errorText") ?? String(root, "message") ?? String(root, "error")
                ?? (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) ? String(error, "message") : null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON: the status decides.
        }

        return FailureClassifier.FromBody(message, status, detail);
    }

    private void Finish(FinishReason finish, List<ChatUpdate> updates)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _thinking.Flush(updates);
        updates.Add(ChatUpdate.Finished(finish));
    }

    // sessionId (else exchangeId) from the frame's messageMetadata, or from the body itself.
    private void KeepSession(JsonElement root)
    {
        var source = root.TryGetProperty("messageMetadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? metadata : root;
        var session = String(source, "sessionId") ?? String(source, "session_id");
        var exchange = String(source, "exchangeId") ?? String(source, "exchange_id");
        if (session is not null || exchange is not null)
        {
            var known = _request.AnsweredSiteSession;
            session ??= known?.SessionId;
            exchange ??= known?.ExchangeId;
            _request.AnsweredSiteSession = _use?.Answered(session, exchange, _nonce) ?? new SiteSession(session, exchange, 0, _nonce);
        }
    }

    private static string? Delta(JsonElement root) => String(root, "delta") ?? String(root, "textDelta") ?? String(root, "text");

    private static FinishReason FinishOf(string? reason) => reason switch
    {
        "length" => FinishReason.Length,
        "content-filter" or "content_filter" => FinishReason.ContentFilter,
        _ => FinishReason.Stop,
    };
}
