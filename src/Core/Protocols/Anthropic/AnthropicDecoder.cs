using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Streaming;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// An Anthropic-kind upstream's events (and whole messages) as neutral updates: text, thinking with its
/// signature (tagged with this provider as origin), redacted thinking, tool_use as tool calls with a
/// 0-based index and their input streamed as it arrives, the stop reason and usage. Server tool blocks
/// (web search and its results) have no neutral counterpart and are skipped.
/// </summary>
internal sealed class AnthropicDecoder : IUpstreamDecoder
{
    private readonly string _provider;
    private readonly Dictionary<int, Block> _blocks = [];
    private int _tools;

    /// <param name="provider">The provider's id: the origin of the signatures it returns.</param>
    public AnthropicDecoder(string provider)
    {
        _provider = provider;
    }

    private enum BlockKind
    {
        Other,
        Text,
        Thinking,
        Tool,
    }

    public StreamStep Decode(in SseEvent upstream, List<ChatUpdate> updates)
    {
        try
        {
            using var document = JsonDocument.Parse(upstream.Data);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return StreamStep.Malformed;
            }

            var type = String(root, "type") ?? upstream.EventType;
            switch (type)
            {
                case "message_start" when root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object:
                    updates.Add(new ChatUpdate { Kind = ChatUpdateKind.Start, ResponseId = String(message, "id"), Model = String(message, "model"), AnnouncesRole = true });
                    AddUsage(message, updates);
                    break;
                case "content_block_start" when root.TryGetProperty("content_block", out var block):
                    StartBlock(Int(root, "index"), block, updates);
                    break;
                case "content_block_delta" when root.TryGetProperty("delta", out var delta):
                    BlockDelta(Int(root, "index"), delta, updates);
                    break;
                case "content_block_stop":
                    StopBlock(Int(root, "index"), updates);
                    break;
                case "message_delta":
                    if (root.TryGetProperty("delta", out var messageDelta) && String(messageDelta, "stop_reason") is { } stop)
                    {
                        updates.Add(ChatUpdate.Finished(FinishOf(stop)));
                    }

                    AddUsage(root, updates);
                    break;
                case "error":
                    return StreamStep.UpstreamError;
                default:
                    // ping, content_block_stop, message_stop, and event types added later: nothing to carry.
                    break;
            }

            return StreamStep.Preamble;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return StreamStep.Malformed;
        }
    }

    public bool DecodeWhole(ReadOnlySpan<byte> body, List<ChatUpdate> updates)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "type") != "message" || !root.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            updates.Add(new ChatUpdate { Kind = ChatUpdateKind.Start, ResponseId = String(root, "id"), Model = String(root, "model"), AnnouncesRole = true });
            var index = 0;
            foreach (var block in content.EnumerateArray())
            {
                StartBlock(index, block, updates);
                StopBlock(index++, updates);
            }

            updates.Add(ChatUpdate.Finished(FinishOf(String(root, "stop_reason") ?? "end_turn")));
            AddUsage(root, updates);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> data, int status, string detail)
    {
        string? type = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(data.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                type = String(error, "type");
                message = String(error, "message");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a message that is not valid Unicode: what was read (the type) and the status decide.
        }

        return FailureClassifier.FromAnthropicError(type, message, status, detail);
    }

    /// <summary>Anthropic's stop reason in the neutral (OpenAI) vocabulary.</summary>
    internal static FinishReason FinishOf(string stopReason) => stopReason switch
    {
        "end_turn" or "stop_sequence" => FinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => FinishReason.Length,
        "tool_use" => FinishReason.ToolCalls,
        "refusal" => FinishReason.ContentFilter,
        "pause_turn" => FinishReason.PauseTurn,
        _ => new FinishReason(stopReason),
    };

    private void StartBlock(int index, JsonElement block, List<ChatUpdate> updates)
    {
        switch (String(block, "type"))
        {
            case "text":
                _blocks[index] = new Block(BlockKind.Text, -1);
                if (String(block, "text") is { Length: > 0 } text)
                {
                    updates.Add(ChatUpdate.TextDelta(text));
                }

                break;
            case "thinking":
                _blocks[index] = new Block(BlockKind.Thinking, -1);
                if (String(block, "thinking") is { Length: > 0 } thinking)
                {
                    updates.Add(ChatUpdate.ReasoningDelta(thinking));
                }

                if (String(block, "signature") is { Length: > 0 } signature)
                {
                    updates.Add(ChatUpdate.ReasoningSignature(Opaque.From(signature, ProviderKind.Anthropic, _provider)));
                }

                break;
            case "redacted_thinking":
                _blocks[index] = new Block(BlockKind.Other, -1);
                if (String(block, "data") is { Length: > 0 } data)
                {
                    updates.Add(ChatUpdate.RedactedReasoning(Opaque.From(data, ProviderKind.Anthropic, _provider)));
                }

                break;
            case "tool_use":
                var tool = _tools++;
                _blocks[index] = new Block(BlockKind.Tool, tool);
                updates.Add(ChatUpdate.ToolCallStart(tool, String(block, "id") ?? Streaming.ToolCallIndexer.NewCallId(), String(block, "name") ?? string.Empty));
                if (block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object && input.EnumerateObject().Any())
                {
                    updates.Add(ChatUpdate.ToolArguments(tool, input.GetRawText()));
                    _blocks[index] = new Block(BlockKind.Tool, tool, HasArguments: true);
                }

                break;
            default:
                _blocks[index] = new Block(BlockKind.Other, -1);
                break;
        }
    }

    private void BlockDelta(int index, JsonElement delta, List<ChatUpdate> updates)
    {
        var block = _blocks.TryGetValue(index, out var known) ? known : new Block(BlockKind.Other, -1);
        switch (String(delta, "type"))
        {
            case "text_delta" when block.Kind == BlockKind.Text && String(delta, "text") is { Length: > 0 } text:
                updates.Add(ChatUpdate.TextDelta(text));
                break;
            case "thinking_delta" when String(delta, "thinking") is { Length: > 0 } thinking:
                updates.Add(ChatUpdate.ReasoningDelta(thinking));
                break;
            case "signature_delta" when String(delta, "signature") is { Length: > 0 } signature:
                updates.Add(ChatUpdate.ReasoningSignature(Opaque.From(signature, ProviderKind.Anthropic, _provider)));
                break;
            case "input_json_delta" when block.Kind == BlockKind.Tool && String(delta, "partial_json") is { Length: > 0 } json:
                updates.Add(ChatUpdate.ToolArguments(block.Tool, json));
                _blocks[index] = block with { HasArguments = true };
                break;
        }
    }

    // A tool call with no input at all still has arguments for clients that parse them: {}.
    private void StopBlock(int index, List<ChatUpdate> updates)
    {
        if (_blocks.TryGetValue(index, out var block) && block is { Kind: BlockKind.Tool, HasArguments: false })
        {
            updates.Add(ChatUpdate.ToolArguments(block.Tool, "{}"));
            _blocks[index] = block with { HasArguments = true };
        }
    }

    private static void AddUsage(JsonElement holder, List<ChatUpdate> updates)
    {
        if (holder.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            updates.Add(ChatUpdate.UsageReport(TokenUsage.FromAnthropic(System.Text.Encoding.UTF8.GetBytes(usage.GetRawText()))));
        }
    }


    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i : -1;

    private readonly record struct Block(BlockKind Kind, int Tool, bool HasArguments = false);
}
