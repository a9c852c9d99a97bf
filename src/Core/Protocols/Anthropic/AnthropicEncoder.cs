using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Streaming;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// Neutral updates as Anthropic Messages events (or one <c>message</c>): <c>message_start</c> with the
/// first content, content blocks opened and closed in the order the model produced them (text, thinking
/// with its signature, redacted thinking, tool_use with its input streamed as <c>input_json_delta</c>),
/// then <c>message_delta</c> with the stop reason and the real usage, and <c>message_stop</c>. A stream
/// that ends early gets an <c>error</c> event, never a fake stop.
/// </summary>
internal sealed class AnthropicEncoder : IClientEncoder
{
    private static readonly byte[] MessageStartName = "message_start"u8.ToArray();
    private static readonly byte[] BlockStartName = "content_block_start"u8.ToArray();
    private static readonly byte[] BlockDeltaName = "content_block_delta"u8.ToArray();
    private static readonly byte[] BlockStopName = "content_block_stop"u8.ToArray();
    private static readonly byte[] MessageDeltaName = "message_delta"u8.ToArray();
    private static readonly byte[] MessageStopName = "message_stop"u8.ToArray();

    private readonly string _model;
    private readonly Opaque? _unsignedReasoningOrigin;
    private readonly List<ToolState> _tools = [];
    private readonly List<int> _queuedTools = [];
    private readonly List<ChatUpdate> _held = [];
    private string? _messageId;
    private TokenUsage _usageSoFar;
    private bool _started;
    private int _nextBlock;
    private Block _open = Block.None;
    private int _openIndex = -1;
    private int _openTool = -1;
    private bool _openThinkingSigned;
    private FinishReason? _finish;

    /// <param name="model">The model the client asked for, named in the message.</param>
    /// <param name="unsignedReasoningOrigin">
    /// Tag for reasoning that comes without a signature (an OpenAI-kind upstream's <c>reasoning_content</c>): its
    /// thinking block gets this as signature so the gateway recognises where it came from when the client sends it back.
    /// </param>
    public AnthropicEncoder(string model, Opaque? unsignedReasoningOrigin)
    {
        _model = model;
        _unsignedReasoningOrigin = unsignedReasoningOrigin;
    }

    private enum Block
    {
        None,
        Text,
        Thinking,
        Tool,
    }

    public bool AllChoicesFinished => _finish is not null;

    public FinishReason? Finish => _finish;

    public void Encode(List<ChatUpdate> updates, List<SseFrame> frames)
    {
        foreach (var update in updates)
        {
            if (update.Choice != 0)
            {
                continue;
            }

            switch (update.Kind)
            {
                case ChatUpdateKind.Start:
                    _messageId ??= update.ResponseId;
                    continue;
                case ChatUpdateKind.Usage:
                    _usageSoFar = _usageSoFar.Merge(update.Usage!.Value);
                    continue;
            }

            if (!update.IsContent)
            {
                continue;
            }

            EnsureStarted(frames);
            EncodeContent(update, frames);
        }
    }

    private void EncodeContent(in ChatUpdate update, List<SseFrame> frames)
    {
        // Text or thinking inside an open call whose arguments are not complete waits for them: a block
        // once stopped takes no more deltas, so the call cannot be closed and resumed.
        if (_open == Block.Tool && !_tools[_openTool].Completeness.IsComplete
            && update.Kind is ChatUpdateKind.TextDelta or ChatUpdateKind.RefusalDelta or ChatUpdateKind.ReasoningDelta
                or ChatUpdateKind.ReasoningSignature or ChatUpdateKind.RedactedReasoning)
        {
            _held.Add(update);
            return;
        }

        switch (update.Kind)
        {
            case ChatUpdateKind.TextDelta or ChatUpdateKind.RefusalDelta:
                Open(Block.Text, frames);
                frames.Add(Delta("text_delta", "text", update.Text!));
                break;
            case ChatUpdateKind.ReasoningDelta:
                Open(Block.Thinking, frames);
                frames.Add(Delta("thinking_delta", "thinking", update.Text!));
                break;
            case ChatUpdateKind.ReasoningSignature:
                if (_open != Block.Thinking || _openThinkingSigned)
                {
                    Open(Block.Thinking, frames, forceNew: true);
                }

                frames.Add(Delta("signature_delta", "signature", update.Opaque!.Encode()));
                _openThinkingSigned = true;
                break;
            case ChatUpdateKind.RedactedReasoning:
                Close(frames);
                var data = update.Opaque!.Encode();
                frames.Add(BlockStart(_nextBlock, w =>
                {
                    w.WriteString("type", "redacted_thinking");
                    w.WriteString("data", data);
                }));
                frames.Add(BlockStop(_nextBlock++));
                break;
            case ChatUpdateKind.ToolCallStart:
                StartTool(update, frames);
                break;
            case ChatUpdateKind.ToolArgumentsDelta:
                ToolArguments(update.ToolIndex, update.Text!, frames);
                break;
            case ChatUpdateKind.Finish:
                Close(frames);
                ReleaseHeld(frames);
                Close(frames);
                FlushQueuedTools(frames);
                _finish = FinishReason.Derive(update.Finish, _tools.Count > 0, legacyFunctions: false);
                break;
        }
    }

    private void ReleaseHeld(List<SseFrame> frames)
    {
        if (_held.Count == 0)
        {
            return;
        }

        var held = _held.ToArray();
        _held.Clear();
        foreach (var update in held)
        {
            EncodeContent(update, frames);
        }
    }

    public void Complete(List<SseFrame> frames, TokenUsage usage, GatewayError interruption)
    {
        if (_finish is not { } finish)
        {
            frames.Add(new SseFrame(AnthropicErrorEnvelope.Serialize(interruption), AnthropicErrorEnvelope.EventName));
            return;
        }

        EnsureStarted(frames);
        frames.Add(Frame(MessageDeltaName, w =>
        {
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason(finish));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WritePropertyName("usage");
            usage.WriteAnthropic(w);
        }));
        frames.Add(Frame(MessageStopName, w => w.WriteString("type", "message_stop")));
    }

    public ReadOnlyMemory<byte> EncodeWhole(List<ChatUpdate> updates, TokenUsage usage)
    {
        var blocks = new List<WholeBlock>();
        FinishReason? finish = null;
        var tools = 0;
        foreach (var update in updates)
        {
            if (update.Choice != 0)
            {
                continue;
            }

            var last = blocks.Count > 0 ? blocks[^1] : null;
            switch (update.Kind)
            {
                case ChatUpdateKind.Start:
                    _messageId ??= update.ResponseId;
                    break;
                case ChatUpdateKind.TextDelta or ChatUpdateKind.RefusalDelta when !string.IsNullOrEmpty(update.Text):
                    if (last?.Kind != Block.Text)
                    {
                        blocks.Add(last = new WholeBlock(Block.Text));
                    }

                    last.Text.Append(update.Text);
                    break;
                case ChatUpdateKind.ReasoningDelta when !string.IsNullOrEmpty(update.Text):
                    if (last is not { Kind: Block.Thinking, Signature: null })
                    {
                        blocks.Add(last = new WholeBlock(Block.Thinking));
                    }

                    last.Text.Append(update.Text);
                    break;
                case ChatUpdateKind.ReasoningSignature:
                    if (last is not { Kind: Block.Thinking, Signature: null })
                    {
                        blocks.Add(last = new WholeBlock(Block.Thinking));
                    }

                    last.Signature = update.Opaque!.Encode();
                    break;
                case ChatUpdateKind.RedactedReasoning:
                    blocks.Add(new WholeBlock(Block.None) { Signature = update.Opaque!.Encode() });
                    break;
                case ChatUpdateKind.ToolCallStart:
                    tools++;
                    var tool = new WholeBlock(Block.Tool) { Id = update.ToolId, Name = update.ToolName, ToolIndex = update.ToolIndex };
                    tool.Text.Append(update.Text);
                    blocks.Add(tool);
                    break;
                case ChatUpdateKind.ToolArgumentsDelta:
                    blocks.FindLast(b => b.Kind == Block.Tool && b.ToolIndex == update.ToolIndex)?.Text.Append(update.Text);
                    break;
                case ChatUpdateKind.Finish:
                    finish = update.Finish;
                    break;
            }
        }

        _finish = FinishReason.Derive(finish, tools > 0, legacyFunctions: false);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", MessageId());
            writer.WriteString("type", "message");
            writer.WriteString("role", "assistant");
            writer.WriteString("model", _model);
            writer.WriteStartArray("content");
            foreach (var block in blocks)
            {
                writer.WriteStartObject();
                switch (block.Kind)
                {
                    case Block.Text:
                        writer.WriteString("type", "text");
                        writer.WriteString("text", block.Text.ToString());
                        break;
                    case Block.Thinking:
                        writer.WriteString("type", "thinking");
                        writer.WriteString("thinking", block.Text.ToString());
                        writer.WriteString("signature", block.Signature ?? _unsignedReasoningOrigin?.Encode() ?? string.Empty);
                        break;
                    case Block.Tool:
                        writer.WriteString("type", "tool_use");
                        writer.WriteString("id", block.Id);
                        writer.WriteString("name", block.Name);
                        writer.WritePropertyName("input");
                        writer.WriteRawValue(ToolInput.AsObject(block.Text.ToString()), skipInputValidation: true);
                        WriteDirectCaller(writer);
                        break;
                    default:
                        writer.WriteString("type", "redacted_thinking");
                        writer.WriteString("data", block.Signature);
                        break;
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("stop_reason", StopReason(_finish.Value));
            writer.WriteNull("stop_sequence");
            writer.WritePropertyName("usage");
            usage.WriteAnthropic(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>The neutral finish reason in Anthropic's words.</summary>
    internal static string StopReason(FinishReason finish) => finish.Value switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        "pause_turn" => "pause_turn",
        _ => "end_turn",
    };

    private string MessageId() => _messageId is { } id && id.StartsWith("msg_", StringComparison.Ordinal)
        ? id
        : _messageId = "msg_" + RandomNumberGenerator.GetHexString(24, lowercase: true);

    private void EnsureStarted(List<SseFrame> frames)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        var usage = new TokenUsage(_usageSoFar.InputTokens, 0, false) { CacheReadTokens = _usageSoFar.CacheReadTokens, CacheWriteTokens = _usageSoFar.CacheWriteTokens };
        frames.Add(Frame(MessageStartName, w =>
        {
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            w.WriteString("id", MessageId());
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", _model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            w.WritePropertyName("usage");
            usage.WriteAnthropic(w);
            w.WriteEndObject();
        }));
    }

    // Opens a text or thinking block unless one of that kind is open already.
    private void Open(Block kind, List<SseFrame> frames, bool forceNew = false)
    {
        if (_open == kind && !forceNew)
        {
            return;
        }

        Close(frames);
        _open = kind;
        _openIndex = _nextBlock++;
        _openThinkingSigned = false;
        frames.Add(BlockStart(_openIndex, w =>
        {
            if (kind == Block.Text)
            {
                w.WriteString("type", "text");
                w.WriteString("text", string.Empty);
            }
            else
            {
                w.WriteString("type", "thinking");
                w.WriteString("thinking", string.Empty);
                w.WriteString("signature", string.Empty);
            }
        }));
    }

    private void Close(List<SseFrame> frames)
    {
        if (_open == Block.None)
        {
            return;
        }

        if (_open == Block.Thinking && !_openThinkingSigned && _unsignedReasoningOrigin is { } origin)
        {
            frames.Add(Delta("signature_delta", "signature", origin.Encode()));
        }

        if (_open == Block.Tool)
        {
            var tool = _tools[_openTool];
            if (!tool.Written)
            {
                // A call that got no arguments has an empty object as input, never "" (ecosystem §4 item 6).
                WriteArguments(tool, "{}", frames);
            }

            tool.Closed = true;
            _openTool = -1;
        }

        frames.Add(BlockStop(_openIndex));
        _open = Block.None;
        _openIndex = -1;
    }

    // Tool blocks are strictly sequential: a call that starts while another's arguments are still open
    // (an upstream interleaving parallel calls) is buffered until the open one's JSON is complete.
    private void StartTool(in ChatUpdate update, List<SseFrame> frames)
    {
        while (_tools.Count <= update.ToolIndex)
        {
            _tools.Add(new ToolState());
        }

        var tool = _tools[update.ToolIndex];
        tool.Id = update.ToolId;
        tool.Name = update.ToolName;
        tool.Pending.Append(update.Text);
        if (_open == Block.Tool && !_tools[_openTool].MayClose)
        {
            _queuedTools.Add(update.ToolIndex);
            return;
        }

        OpenTool(update.ToolIndex, frames);
    }

    // Anthropic's current shape names who called a tool; the official SDKs require it on tool_use
    // blocks when they validate responses. Every call the gateway translates is the model's own.
    private static void WriteDirectCaller(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("caller");
        writer.WriteString("type", "direct");
        writer.WriteEndObject();
    }

    private void OpenTool(int index, List<SseFrame> frames)
    {
        Close(frames);
        var tool = _tools[index];
        tool.Block = _nextBlock++;
        _open = Block.Tool;
        _openIndex = tool.Block;
        _openTool = index;
        frames.Add(BlockStart(tool.Block, w =>
        {
            w.WriteString("type", "tool_use");
            w.WriteString("id", tool.Id);
            w.WriteString("name", tool.Name);
            w.WriteStartObject("input");
            w.WriteEndObject();
            WriteDirectCaller(w);
        }));
        if (tool.Pending.Length > 0)
        {
            var pending = tool.Pending.ToString();
            tool.Pending.Clear();
            WriteArguments(tool, pending, frames);
        }
    }

    private void ToolArguments(int index, string arguments, List<SseFrame> frames)
    {
        if (index < 0 || index >= _tools.Count)
        {
            return;
        }

        var tool = _tools[index];
        if (tool.Block < 0)
        {
            tool.Pending.Append(arguments);
            return;
        }

        if (tool.Closed)
        {
            // A call closes only once its arguments are a complete JSON value, which nothing can extend;
            // a delta after content_block_stop would break every client's accumulator.
            return;
        }

        WriteArguments(tool, arguments, frames);
        if (index == _openTool && tool.Completeness.IsComplete)
        {
            ReleaseHeld(frames);
            if (_queuedTools.Count > 0)
            {
                var next = _queuedTools[0];
                _queuedTools.RemoveAt(0);
                OpenTool(next, frames);
            }
        }
    }

    private static void WriteArguments(ToolState tool, string arguments, List<SseFrame> frames)
    {
        tool.Completeness.Append(arguments);
        tool.Written = true;
        frames.Add(Frame(BlockDeltaName, w =>
        {
            w.WriteString("type", "content_block_delta");
            w.WriteNumber("index", tool.Block);
            w.WriteStartObject("delta");
            w.WriteString("type", "input_json_delta");
            w.WriteString("partial_json", arguments);
            w.WriteEndObject();
        }));
    }

    private void FlushQueuedTools(List<SseFrame> frames)
    {
        foreach (var index in _queuedTools)
        {
            OpenTool(index, frames);
            Close(frames);
        }

        _queuedTools.Clear();
    }

    private SseFrame Delta(string type, string field, string value) => Frame(BlockDeltaName, w =>
    {
        w.WriteString("type", "content_block_delta");
        w.WriteNumber("index", _openIndex);
        w.WriteStartObject("delta");
        w.WriteString("type", type);
        w.WriteString(field, value);
        w.WriteEndObject();
    });

    private static SseFrame BlockStart(int index, Action<Utf8JsonWriter> block) => Frame(BlockStartName, w =>
    {
        w.WriteString("type", "content_block_start");
        w.WriteNumber("index", index);
        w.WriteStartObject("content_block");
        block(w);
        w.WriteEndObject();
    });

    private static SseFrame BlockStop(int index) => Frame(BlockStopName, w =>
    {
        w.WriteString("type", "content_block_stop");
        w.WriteNumber("index", index);
    });

    private static SseFrame Frame(byte[] name, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return new SseFrame(buffer.WrittenMemory, name);
    }

    private sealed class ToolState
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public int Block { get; set; } = -1;

        public bool Closed { get; set; }

        public bool Written { get; set; }

        public StringBuilder Pending { get; } = new();

        public JsonCompleteness Completeness { get; } = new();

        // Sequential upstreams start the next call after the previous one's arguments; an upstream that
        // announces several calls before their arguments (interleaving) gets them one after another.
        public bool MayClose => Completeness.IsComplete;
    }

    private sealed class WholeBlock(Block kind)
    {
        public Block Kind { get; } = kind;

        public StringBuilder Text { get; } = new();

        public string? Signature { get; set; }

        public string? Id { get; init; }

        public string? Name { get; init; }

        public int ToolIndex { get; init; }
    }
}
