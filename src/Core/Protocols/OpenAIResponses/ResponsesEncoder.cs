using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIResponses;

/// <summary>
/// Neutral updates as OpenAI Responses events (or one <c>response</c> object): <c>response.created</c> and
/// <c>response.in_progress</c> with the first content, then output items in the order the model produced
/// them — reasoning (summary text, and the signature as origin-tagged <c>encrypted_content</c>), messages
/// (<c>output_text</c> deltas), function and custom tool calls (arguments streamed as they arrive, a
/// namespaced tool named as the client declared it) — and <c>response.completed</c> with the usage, or
/// <c>response.incomplete</c> when the output ran out. Every event has its <c>event:</c> line, a
/// <c>type</c> and an increasing <c>sequence_number</c>; no <c>[DONE]</c>. A stream that ends early gets
/// <c>response.failed</c>, never a fake completion.
/// </summary>
internal sealed class ResponsesEncoder : IClientEncoder, State.IKeptOutput
{
    // Every event name this encoder writes, as the bytes of its event: line.
    private static readonly Dictionary<string, byte[]> Names = new[]
    {
        "response.created", "response.in_progress", "response.completed", "response.incomplete", "response.failed",
        "response.output_item.added", "response.output_item.done", "response.content_part.added", "response.content_part.done",
        "response.output_text.delta", "response.output_text.done", "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
        "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.custom_tool_call_input.delta",
        "response.custom_tool_call_input.done",
    }.ToDictionary(name => name, Encoding.UTF8.GetBytes, StringComparer.Ordinal);

    private readonly ChatRequest _request;
    private readonly Opaque? _unsignedReasoningOrigin;
    private readonly long _createdAt;
    private readonly string _responseId = "resp_gw" + Random(24);
    private readonly List<Item> _items = [];
    private readonly SortedDictionary<int, Item> _openTools = [];
    private Item? _openMessage;
    private Item? _openReasoning;
    private int _sequence;
    private bool _started;
    private int _toolCalls;
    private FinishReason? _finish;

    /// <param name="request">The client's request (its model is named in the response; its tool aliases restore namespaced names).</param>
    /// <param name="unsignedReasoningOrigin">
    /// Origin tag for reasoning that comes without a signature (an OpenAI-kind upstream's <c>reasoning_content</c>):
    /// its item carries it as <c>encrypted_content</c> so the gateway knows where it came from when it comes back.
    /// </param>
    /// <param name="createdAt">Unix seconds of the response.</param>
    public ResponsesEncoder(ChatRequest request, Opaque? unsignedReasoningOrigin, long createdAt)
    {
        _request = request;
        _unsignedReasoningOrigin = unsignedReasoningOrigin;
        _createdAt = createdAt;
    }

    private enum ItemKind
    {
        Message,
        Reasoning,
        FunctionCall,
        CustomToolCall,
    }

    public bool AllChoicesFinished => _finish is not null;

    public FinishReason? Finish => _finish;

    /// <summary>The response's id (<c>resp_…</c>).</summary>
    public string ResponseId => _responseId;

    public void Encode(List<ChatUpdate> updates, List<SseFrame> frames)
    {
        foreach (var update in updates)
        {
            if (update.Choice != 0 || !update.IsContent)
            {
                continue;
            }

            EnsureStarted(frames);
            switch (update.Kind)
            {
                case ChatUpdateKind.TextDelta or ChatUpdateKind.RefusalDelta:
                    CloseReasoning(frames);
                    var message = OpenMessage(frames);
                    message.Text.Append(update.Text);
                    frames.Add(Event("response.output_text.delta", w =>
                    {
                        w.WriteString("item_id", message.Id);
                        w.WriteNumber("output_index", message.OutputIndex);
                        w.WriteNumber("content_index", 0);
                        w.WriteString("delta", update.Text);
                        w.WriteStartArray("logprobs");
                        w.WriteEndArray();
                    }));
                    break;
                case ChatUpdateKind.ReasoningDelta:
                    var reasoning = OpenReasoning(frames, summary: true);
                    reasoning.Text.Append(update.Text);
                    frames.Add(Event("response.reasoning_summary_text.delta", w =>
                    {
                        w.WriteString("item_id", reasoning.Id);
                        w.WriteNumber("output_index", reasoning.OutputIndex);
                        w.WriteNumber("summary_index", 0);
                        w.WriteString("delta", update.Text);
                    }));
                    break;
                case ChatUpdateKind.ReasoningSignature:
                    if (_openReasoning is { Encrypted: not null })
                    {
                        CloseReasoning(frames);
                    }

                    OpenReasoning(frames, summary: false).Encrypted = update.Opaque!.Encode();
                    break;
                case ChatUpdateKind.RedactedReasoning:
                    CloseReasoning(frames);
                    var redacted = OpenReasoning(frames, summary: false);
                    redacted.Encrypted = (update.Opaque! with { Value = ResponsesRequestReader.RedactedPrefix + update.Opaque!.Value }).Encode();
                    CloseReasoning(frames);
                    break;
                case ChatUpdateKind.ToolCallStart:
                    StartTool(update, frames);
                    break;
                case ChatUpdateKind.ToolArgumentsDelta:
                    ToolArguments(update.ToolIndex, update.Text ?? string.Empty, frames);
                    break;
                case ChatUpdateKind.Finish:
                    CloseAll(frames);
                    _finish = FinishReason.Derive(update.Finish, _toolCalls > 0, legacyFunctions: false);
                    break;
            }
        }
    }

    public void Complete(List<SseFrame> frames, TokenUsage usage, GatewayError interruption)
    {
        EnsureStarted(frames);
        if (_finish is not { } finish)
        {
            CloseAll(frames);
            frames.Add(Event("response.failed", w =>
            {
                w.WritePropertyName("response");
                WriteResponse(w, "failed", usage, interruption, incompleteReason: null);
            }));
            return;
        }

        var incomplete = IncompleteReason(finish);
        frames.Add(Event(incomplete is null ? "response.completed" : "response.incomplete", w =>
        {
            w.WritePropertyName("response");
            WriteResponse(w, incomplete is null ? "completed" : "incomplete", usage, error: null, incomplete);
        }));
    }

    public ReadOnlyMemory<byte> EncodeWhole(List<ChatUpdate> updates, TokenUsage usage)
    {
        var discarded = new List<SseFrame>();
        Encode(updates, discarded);
        CloseAll(discarded);
        _finish ??= FinishReason.Derive(null, _toolCalls > 0, legacyFunctions: false);
        var incomplete = IncompleteReason(_finish.Value);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            WriteResponse(writer, incomplete is null ? "completed" : "incomplete", usage, error: null, incomplete);
        }

        return buffer.WrittenMemory;
    }

    /// <summary>The output items as the client got them, completed (what a kept response stores).</summary>
    public void WriteOutputItems(Utf8JsonWriter writer)
    {
        foreach (var item in _items)
        {
            WriteItem(writer, item, done: true);
        }
    }

    private static string? IncompleteReason(FinishReason finish) =>
        finish == FinishReason.Length ? "max_output_tokens" : finish == FinishReason.ContentFilter ? "content_filter" : null;

    private void EnsureStarted(List<SseFrame> frames)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        frames.Add(Event("response.created", w =>
        {
            w.WritePropertyName("response");
            WriteResponse(w, "in_progress", usage: null, error: null, incompleteReason: null);
        }));
        frames.Add(Event("response.in_progress", w =>
        {
            w.WritePropertyName("response");
            WriteResponse(w, "in_progress", usage: null, error: null, incompleteReason: null);
        }));
    }

    private Item OpenMessage(List<SseFrame> frames)
    {
        if (_openMessage is { } open)
        {
            return open;
        }

        var message = Add(ItemKind.Message, "msg_gw");
        _openMessage = message;
        frames.Add(ItemEvent("response.output_item.added", message, done: false));
        frames.Add(Event("response.content_part.added", w =>
        {
            w.WriteString("item_id", message.Id);
            w.WriteNumber("output_index", message.OutputIndex);
            w.WriteNumber("content_index", 0);
            w.WritePropertyName("part");
            WriteTextPart(w, string.Empty);
        }));
        return message;
    }

    private void CloseMessage(List<SseFrame> frames)
    {
        if (_openMessage is not { } message)
        {
            return;
        }

        _openMessage = null;
        var text = message.Text.ToString();
        frames.Add(Event("response.output_text.done", w =>
        {
            w.WriteString("item_id", message.Id);
            w.WriteNumber("output_index", message.OutputIndex);
            w.WriteNumber("content_index", 0);
            w.WriteString("text", text);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        }));
        frames.Add(Event("response.content_part.done", w =>
        {
            w.WriteString("item_id", message.Id);
            w.WriteNumber("output_index", message.OutputIndex);
            w.WriteNumber("content_index", 0);
            w.WritePropertyName("part");
            WriteTextPart(w, text);
        }));
        message.Done = true;
        frames.Add(ItemEvent("response.output_item.done", message, done: true));
    }

    private Item OpenReasoning(List<SseFrame> frames, bool summary)
    {
        CloseMessage(frames);
        var reasoning = _openReasoning;
        if (reasoning is null)
        {
            reasoning = Add(ItemKind.Reasoning, "rs_gw");
            _openReasoning = reasoning;
            frames.Add(ItemEvent("response.output_item.added", reasoning, done: false));
        }

        if (summary && !reasoning.SummaryOpen)
        {
            reasoning.SummaryOpen = true;
            frames.Add(Event("response.reasoning_summary_part.added", w =>
            {
                w.WriteString("item_id", reasoning.Id);
                w.WriteNumber("output_index", reasoning.OutputIndex);
                w.WriteNumber("summary_index", 0);
                w.WritePropertyName("part");
                WriteSummaryPart(w, string.Empty);
            }));
        }

        return reasoning;
    }

    private void CloseReasoning(List<SseFrame> frames)
    {
        if (_openReasoning is not { } reasoning)
        {
            return;
        }

        _openReasoning = null;
        if (reasoning.Encrypted is null && reasoning.Text.Length > 0 && _unsignedReasoningOrigin is { } origin)
        {
            reasoning.Encrypted = origin.Encode();
        }

        if (reasoning.SummaryOpen)
        {
            var text = reasoning.Text.ToString();
            frames.Add(Event("response.reasoning_summary_text.done", w =>
            {
                w.WriteString("item_id", reasoning.Id);
                w.WriteNumber("output_index", reasoning.OutputIndex);
                w.WriteNumber("summary_index", 0);
                w.WriteString("text", text);
            }));
            frames.Add(Event("response.reasoning_summary_part.done", w =>
            {
                w.WriteString("item_id", reasoning.Id);
                w.WriteNumber("output_index", reasoning.OutputIndex);
                w.WriteNumber("summary_index", 0);
                w.WritePropertyName("part");
                WriteSummaryPart(w, text);
            }));
        }

        reasoning.Done = true;
        frames.Add(ItemEvent("response.output_item.done", reasoning, done: true));
    }

    // Calls stay open until the answer finishes: Responses events name their item, so an upstream that
    // interleaves parallel calls is followed as it is, and no argument piece ever arrives after its item's done.
    private void StartTool(in ChatUpdate update, List<SseFrame> frames)
    {
        if (_openTools.ContainsKey(update.ToolIndex))
        {
            return;
        }

        CloseReasoning(frames);
        CloseMessage(frames);
        var (name, space) = _request.Conversation?.ToolAliases.TryGetValue(update.ToolName ?? string.Empty, out var alias) == true
            ? alias
            : (update.ToolName ?? string.Empty, null);
        var tool = Add(update.CustomTool ? ItemKind.CustomToolCall : ItemKind.FunctionCall, update.CustomTool ? "ctc_gw" : "fc_gw");
        tool.CallId = update.ToolId ?? "call_gw" + Random(24);
        tool.Name = name;
        tool.Namespace = space;
        _openTools[update.ToolIndex] = tool;
        _toolCalls++;
        frames.Add(ItemEvent("response.output_item.added", tool, done: false));
        if (!string.IsNullOrEmpty(update.Text))
        {
            ToolArguments(update.ToolIndex, update.Text, frames);
        }
    }

    private void ToolArguments(int index, string arguments, List<SseFrame> frames)
    {
        if (arguments.Length == 0 || !_openTools.TryGetValue(index, out var tool))
        {
            return;
        }

        tool.Text.Append(arguments);
        frames.Add(Event(tool.Kind == ItemKind.CustomToolCall ? "response.custom_tool_call_input.delta" : "response.function_call_arguments.delta", w =>
        {
            w.WriteString("item_id", tool.Id);
            w.WriteNumber("output_index", tool.OutputIndex);
            w.WriteString("delta", arguments);
        }));
    }

    private void CloseAll(List<SseFrame> frames)
    {
        CloseReasoning(frames);
        CloseMessage(frames);
        foreach (var tool in _openTools.Values)
        {
            var custom = tool.Kind == ItemKind.CustomToolCall;
            var text = Arguments(tool);
            frames.Add(Event(custom ? "response.custom_tool_call_input.done" : "response.function_call_arguments.done", w =>
            {
                w.WriteString("item_id", tool.Id);
                w.WriteNumber("output_index", tool.OutputIndex);
                w.WriteString(custom ? "input" : "arguments", text);
            }));
            tool.Done = true;
            frames.Add(ItemEvent("response.output_item.done", tool, done: true));
        }

        _openTools.Clear();
    }

    // Function arguments are a JSON object; "" (a call without arguments) is {} (ecosystem §4 item 6).
    private static string Arguments(Item tool) =>
        tool.Kind == ItemKind.FunctionCall && tool.Text.Length == 0 ? "{}" : tool.Text.ToString();

    private Item Add(ItemKind kind, string prefix)
    {
        var item = new Item(kind, prefix + Random(24), _items.Count);
        _items.Add(item);
        return item;
    }

    private SseFrame ItemEvent(string type, Item item, bool done) => Event(type, w =>
    {
        w.WriteNumber("output_index", item.OutputIndex);
        w.WritePropertyName("item");
        WriteItem(w, item, done);
    });

    private static void WriteItem(Utf8JsonWriter w, Item item, bool done)
    {
        w.WriteStartObject();
        w.WriteString("id", item.Id);
        switch (item.Kind)
        {
            case ItemKind.Message:
                w.WriteString("type", "message");
                w.WriteString("status", done ? "completed" : "in_progress");
                w.WriteString("role", "assistant");
                w.WriteStartArray("content");
                if (done)
                {
                    WriteTextPart(w, item.Text.ToString());
                }

                w.WriteEndArray();
                break;
            case ItemKind.Reasoning:
                w.WriteString("type", "reasoning");
                w.WriteStartArray("summary");
                if (done && item.Text.Length > 0)
                {
                    WriteSummaryPart(w, item.Text.ToString());
                }

                w.WriteEndArray();
                if (done && item.Encrypted is { } encrypted)
                {
                    w.WriteString("encrypted_content", encrypted);
                }

                break;
            case ItemKind.FunctionCall:
                w.WriteString("type", "function_call");
                w.WriteString("status", done ? "completed" : "in_progress");
                w.WriteString("arguments", done ? Arguments(item) : string.Empty);
                WriteToolName(w, item);
                break;
            default:
                w.WriteString("type", "custom_tool_call");
                w.WriteString("status", done ? "completed" : "in_progress");
                WriteToolName(w, item);
                w.WriteString("input", done ? item.Text.ToString() : string.Empty);
                break;
        }

        w.WriteEndObject();
    }

    // A tool declared inside a namespace is called by its own name with the namespace beside it, for
    // function and custom tools alike (the reader flattens both back to the name the upstream was given).
    private static void WriteToolName(Utf8JsonWriter w, Item item)
    {
        w.WriteString("call_id", item.CallId);
        w.WriteString("name", item.Name);
        if (item.Namespace is { } space)
        {
            w.WriteString("namespace", space);
        }
    }

    private static void WriteTextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSummaryPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "summary_text");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private void WriteResponse(Utf8JsonWriter w, string status, TokenUsage? usage, GatewayError? error, string? incompleteReason)
    {
        w.WriteStartObject();
        w.WriteString("id", _responseId);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", _createdAt);
        w.WriteString("status", status);
        w.WriteBoolean("background", false);
        if (error is not null)
        {
            w.WriteStartObject("error");
            w.WriteString("code", error.Code);
            w.WriteString("message", error.Message);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("error");
        }

        if (incompleteReason is not null)
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", incompleteReason);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("incomplete_details");
        }

        w.WriteNull("instructions");
        if (_request.Conversation?.MaxTokens is { } max)
        {
            w.WriteNumber("max_output_tokens", max);
        }
        else
        {
            w.WriteNull("max_output_tokens");
        }

        w.WriteString("model", _request.Model);
        w.WriteStartArray("output");
        if (status != "in_progress")
        {
            foreach (var item in _items)
            {
                WriteItem(w, item, done: true);
            }
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", _request.Conversation?.ParallelToolCalls ?? true);
        if (_request.PreviousResponseId is { } previous)
        {
            w.WriteString("previous_response_id", previous);
        }
        else
        {
            w.WriteNull("previous_response_id");
        }
        w.WriteStartObject("reasoning");
        if (_request.Conversation?.Reasoning?.Effort is { } effort)
        {
            w.WriteString("effort", effort);
        }
        else
        {
            w.WriteNull("effort");
        }

        w.WriteNull("summary");
        w.WriteEndObject();
        w.WriteBoolean("store", _request.KeepResponse);
        w.WriteStartObject("text");
        w.WriteStartObject("format");
        w.WriteString("type", "text");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("tool_choice", "auto");
        w.WriteStartArray("tools");
        w.WriteEndArray();
        w.WriteString("truncation", "disabled");
        if (usage is { } u)
        {
            w.WritePropertyName("usage");
            WriteUsage(w, u);
        }
        else
        {
            w.WriteNull("usage");
        }

        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Responses usage: input counts cached input (OpenAI's convention), with the cache and reasoning details.</summary>
    internal static void WriteUsage(Utf8JsonWriter w, TokenUsage usage)
    {
        w.WriteStartObject();
        w.WriteNumber("input_tokens", usage.PromptTokens);
        w.WriteStartObject("input_tokens_details");
        w.WriteNumber("cached_tokens", usage.CacheReadTokens);
        w.WriteEndObject();
        w.WriteNumber("output_tokens", usage.OutputTokens);
        w.WriteStartObject("output_tokens_details");
        w.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        w.WriteEndObject();
        w.WriteNumber("total_tokens", usage.PromptTokens + usage.OutputTokens);
        w.WriteEndObject();
    }

    private SseFrame Event(string type, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteNumber("sequence_number", _sequence++);
            body(writer);
            writer.WriteEndObject();
        }

        return new SseFrame(buffer.WrittenMemory, NameOf(type));
    }

    private static byte[] NameOf(string type) => Names[type];

    /// <summary>
    /// <c>response.failed</c> on its own, for a stream the gateway committed (headers and keep-alives) before
    /// any upstream answered, and then could not serve.
    /// </summary>
    public static SseFrame FailedAlone(GatewayError error, long createdAt)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type", "response.failed");
            w.WriteNumber("sequence_number", 0);
            w.WriteStartObject("response");
            w.WriteString("id", "resp_gw" + Random(24));
            w.WriteString("object", "response");
            w.WriteNumber("created_at", createdAt);
            w.WriteString("status", "failed");
            w.WriteStartObject("error");
            w.WriteString("code", error.Code);
            w.WriteString("message", error.Message);
            w.WriteEndObject();
            w.WriteStartArray("output");
            w.WriteEndArray();
            w.WriteNull("usage");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return new SseFrame(buffer.WrittenMemory, Names["response.failed"]);
    }

    private static string Random(int hexDigits) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(hexDigits / 2));

    private sealed class Item(ItemKind kind, string id, int outputIndex)
    {
        public ItemKind Kind { get; } = kind;

        public string Id { get; } = id;

        public int OutputIndex { get; } = outputIndex;

        public StringBuilder Text { get; } = new();

        public string? Encrypted { get; set; }

        public string? CallId { get; set; }

        public string? Name { get; set; }

        public string? Namespace { get; set; }

        public bool SummaryOpen { get; set; }

        public bool Done { get; set; }
    }
}
