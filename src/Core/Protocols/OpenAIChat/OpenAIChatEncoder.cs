using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// Neutral updates as OpenAI Chat Completions chunks (or one completion), with the same rules as the
/// byte path: one chunk per upstream event, tool calls with a stable index and id + name on their first
/// delta, finish_reason derived from what was emitted, the legacy function_call shape, the PromptTags
/// thinking rewrite, and usage placed where the client asked for it (SPEC §5).
/// </summary>
internal sealed class OpenAIChatEncoder : IClientEncoder
{
    private readonly ChatRequest _request;
    private readonly bool _rewriteThinking;
    private readonly string _fallbackModel;
    private readonly long _fallbackCreated;
    private readonly List<ChoiceState?> _choices = [];
    private readonly List<Entry> _entries = [];
    private string? _id;
    private string? _model;
    private long? _created;
    private int _seen;
    private int _finished;
    private List<Entry>? _heldFinish;
    private bool _contentWritten;

    /// <param name="request">The client's request (usage, legacy functions, choice count).</param>
    /// <param name="rewriteThinking">PromptTags: <c>&lt;thinking&gt;</c> in content becomes <c>&lt;think&gt;</c>.</param>
    /// <param name="fallbackModel">The model named in chunks when the upstream names none.</param>
    /// <param name="created">Unix seconds named in chunks when the upstream gives none (Anthropic does not).</param>
    public OpenAIChatEncoder(ChatRequest request, bool rewriteThinking, string fallbackModel, long created = 0)
    {
        _request = request;
        _rewriteThinking = rewriteThinking;
        _fallbackModel = fallbackModel;
        _fallbackCreated = created;
    }

    public bool AllChoicesFinished => _seen > 0 && _finished == _seen;

    public FinishReason? Finish { get; private set; }

    // While streaming, the answer is complete only when at least n choices were seen.
    private bool CompletesAll => AllChoicesFinished && _seen >= _request.ChoiceCount;

    public void Encode(List<ChatUpdate> updates, List<SseFrame> frames)
    {
        _entries.Clear();
        var completesAll = false;
        foreach (var update in updates)
        {
            if (update.Kind == ChatUpdateKind.Start && !update.AnnouncesRole)
            {
                TakeMeta(update);
                continue;
            }

            if (update.Kind is ChatUpdateKind.Usage or ChatUpdateKind.ReasoningSignature or ChatUpdateKind.RedactedReasoning)
            {
                // OpenAI Chat has no field for signatures or redacted reasoning (the signature store keeps them).
                continue;
            }

            var entry = EntryOf(update.Choice);
            var state = entry.State;
            switch (update.Kind)
            {
                case ChatUpdateKind.Start:
                    TakeMeta(update);
                    entry.Role = true;
                    break;
                case ChatUpdateKind.TextDelta:
                    var text = update.Text!;
                    if (_rewriteThinking)
                    {
                        state.Thinking ??= new ThinkingTagRewriter();
                        text = state.Thinking.Process(text);
                    }

                    (entry.Content ??= new StringBuilder()).Append(text);
                    break;
                case ChatUpdateKind.ReasoningDelta or ChatUpdateKind.RefusalDelta or ChatUpdateKind.ToolCallStart or ChatUpdateKind.ToolArgumentsDelta:
                    entry.Take(update, whole: false);
                    break;
                case ChatUpdateKind.Finish:
                    if (state.Thinking?.Flush() is { Length: > 0 } rest)
                    {
                        (entry.Content ??= new StringBuilder()).Append(rest);
                    }

                    var finish = FinishReason.Derive(ToOpenAI(update.Finish!.Value), state.Tools > 0, _request.LegacyFunctions);
                    entry.Finish = finish;
                    Finish = finish;
                    if (!state.Finished)
                    {
                        state.Finished = true;
                        _finished++;
                        completesAll |= CompletesAll;
                    }

                    break;
            }
        }

        if (_entries.Count == 0)
        {
            return;
        }

        if (completesAll && !_request.ClientWantsUsage)
        {
            // Usage rides on the finish chunk (SPEC §5): held until the stream ends. When this batch is the
            // whole answer (a JSON answer replayed, calls read from text), its content goes now, without the
            // finish: a stream whose only content waited for its end could not commit, nor fail over cleanly.
            var content = !_contentWritten ? _entries.Where(e => e.HasDelta).Select(e => e.WithoutFinish()).ToList() : [];
            if (content.Count > 0)
            {
                frames.Add(WriteChunk(content, usage: null));
                _heldFinish = [.. _entries.Where(e => e.Finish is not null).Select(e => e.FinishOnly())];
            }
            else
            {
                _heldFinish = [.. _entries];
            }

            return;
        }

        frames.Add(WriteChunk(_entries, usage: null));
    }

    public void Complete(List<SseFrame> frames, TokenUsage usage, GatewayError interruption)
    {
        if (AllChoicesFinished)
        {
            if (_heldFinish is not null)
            {
                frames.Add(WriteChunk(_heldFinish, usage));
                _heldFinish = null;
            }
            else if (_request.ClientWantsUsage)
            {
                frames.Add(WriteChunk([], usage));
            }
        }
        else
        {
            for (var i = 0; i < _choices.Count; i++)
            {
                if (_choices[i] is { Finished: false, Thinking: { } thinking } state && thinking.Flush() is { Length: > 0 } rest)
                {
                    frames.Add(WriteChunk([new Entry(i, state) { Content = new StringBuilder(rest) }], usage: null));
                }
            }

            frames.Add(OpenAIErrorEnvelope.Serialize(interruption));
            if (_request.ClientWantsUsage)
            {
                frames.Add(WriteChunk([], usage));
            }
        }

        frames.Add(SseFrame.Done);
    }

    public ReadOnlyMemory<byte> EncodeWhole(List<ChatUpdate> updates, TokenUsage usage)
    {
        // Collect per choice, then write one completion.
        var byChoice = new SortedDictionary<int, Entry>();
        foreach (var update in updates)
        {
            if (update.Kind == ChatUpdateKind.Start)
            {
                TakeMeta(update);
                continue;
            }

            if (update.Kind is ChatUpdateKind.Usage or ChatUpdateKind.ReasoningSignature or ChatUpdateKind.RedactedReasoning)
            {
                continue;
            }

            if (!byChoice.TryGetValue(update.Choice, out var entry))
            {
                entry = new Entry(update.Choice, new ChoiceState());
                byChoice[update.Choice] = entry;
            }

            switch (update.Kind)
            {
                case ChatUpdateKind.TextDelta:
                    (entry.Content ??= new StringBuilder()).Append(update.Text);
                    break;
                case ChatUpdateKind.ReasoningDelta or ChatUpdateKind.RefusalDelta or ChatUpdateKind.ToolCallStart or ChatUpdateKind.ToolArgumentsDelta:
                    entry.Take(update, whole: true);
                    break;
                case ChatUpdateKind.Finish:
                    entry.Finish = FinishReason.Derive(ToOpenAI(update.Finish!.Value), entry.State.Tools > 0, _request.LegacyFunctions);
                    Finish = entry.Finish;
                    break;
            }
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", _id ?? "chatcmpl-gateway");
            writer.WriteString("object", "chat.completion");
            writer.WriteNumber("created", _created ?? _fallbackCreated);
            writer.WriteString("model", _model ?? _fallbackModel);
            writer.WriteStartArray("choices");
            foreach (var entry in byChoice.Values)
            {
                writer.WriteStartObject();
                writer.WriteNumber("index", entry.Choice);
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                var content = entry.Content?.ToString();
                if (content is null)
                {
                    writer.WriteNull("content");
                }
                else
                {
                    writer.WriteString("content", _rewriteThinking ? ThinkingTagRewriter.RewriteAll(content) : content);
                }

                if (entry.Reasoning is not null)
                {
                    writer.WriteString("reasoning_content", entry.Reasoning.ToString());
                }

                if (entry.Refusal is not null)
                {
                    writer.WriteString("refusal", entry.Refusal.ToString());
                }

                WriteWholeTools(writer, entry.Tools);
                writer.WriteEndObject();
                writer.WriteString("finish_reason", (entry.Finish ?? FinishReason.Derive(null, entry.State.Tools > 0, _request.LegacyFunctions)).Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WritePropertyName("usage");
            usage.WriteOpenAI(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Reasons with no OpenAI counterpart, in OpenAI's words.</summary>
    private static FinishReason ToOpenAI(FinishReason reason) => reason == FinishReason.PauseTurn ? FinishReason.Stop : reason;

    private void WriteWholeTools(Utf8JsonWriter writer, List<ToolDelta> tools)
    {
        if (tools.Count == 0)
        {
            return;
        }

        if (_request.LegacyFunctions)
        {
            writer.WriteStartObject("function_call");
            writer.WriteString("name", tools[0].Name);
            writer.WriteString("arguments", tools[0].Arguments);
            writer.WriteEndObject();
            return;
        }

        writer.WriteStartArray("tool_calls");
        foreach (var tool in tools)
        {
            writer.WriteStartObject();
            writer.WriteString("id", tool.Id);
            writer.WriteString("type", tool.Custom ? "custom" : "function");
            writer.WriteStartObject(tool.Custom ? "custom" : "function");
            writer.WriteString("name", tool.Name);
            writer.WriteString(tool.Custom ? "input" : "arguments", tool.Arguments);
            writer.WriteEndObject();
            WriteSignature(writer, tool);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private void TakeMeta(in ChatUpdate update)
    {
        _id ??= update.ResponseId;
        _model ??= update.Model;
        _created ??= update.Created;
    }

    private Entry EntryOf(int choice)
    {
        foreach (var entry in _entries)
        {
            if (entry.Choice == choice)
            {
                return entry;
            }
        }

        var created = new Entry(choice, StateOf(choice));
        _entries.Add(created);
        return created;
    }

    private ChoiceState StateOf(int choice)
    {
        while (_choices.Count <= choice)
        {
            _choices.Add(null);
        }

        if (_choices[choice] is not { } state)
        {
            state = new ChoiceState();
            _choices[choice] = state;
            _seen++;
        }

        return state;
    }

    private ReadOnlyMemory<byte> WriteChunk(List<Entry> entries, TokenUsage? usage)
    {
        _contentWritten |= entries.Exists(e => e.HasContent);
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("id", _id ?? "chatcmpl-gateway");
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", _created ?? _fallbackCreated);
        writer.WriteString("model", _model ?? _fallbackModel);
        writer.WriteStartArray("choices");
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", entry.Choice);
            writer.WriteStartObject("delta");
            WriteDelta(writer, entry);
            writer.WriteEndObject();
            if (entry.Finish is { } finish)
            {
                writer.WriteString("finish_reason", finish.Value);
            }
            else
            {
                writer.WriteNull("finish_reason");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (usage is { } u)
        {
            writer.WritePropertyName("usage");
            u.WriteOpenAI(writer);
        }
        else if (_request.ClientWantsUsage)
        {
            writer.WriteNull("usage");
        }

        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    private void WriteDelta(Utf8JsonWriter writer, Entry entry)
    {
        var legacy = _request.LegacyFunctions;
        var hasTools = entry.Tools.Count > 0;
        if (entry.Role)
        {
            writer.WriteString("role", "assistant");
        }

        if (entry.Content is { } content)
        {
            // Written even when the thinking rewriter held all of it back: the client sees the delta happen.
            writer.WriteString("content", content.ToString());
        }
        else if (entry.Role)
        {
            // OpenAI's own first chunk: empty text, or null when the turn opens with a tool call.
            if (hasTools)
            {
                writer.WriteNull("content");
            }
            else
            {
                writer.WriteString("content", string.Empty);
            }
        }

        if (entry.Reasoning is { Length: > 0 } reasoning)
        {
            writer.WriteString("reasoning_content", reasoning.ToString());
        }

        if (entry.Refusal is { Length: > 0 } refusal)
        {
            writer.WriteString("refusal", refusal.ToString());
        }

        if (!hasTools)
        {
            return;
        }

        if (legacy)
        {
            // Legacy clients get one call (parallel_tool_calls:false went upstream) as delta.function_call.
            string? name = null;
            var arguments = new StringBuilder();
            var any = false;
            foreach (var tool in entry.Tools)
            {
                if (tool.Index != 0)
                {
                    continue;
                }

                any = true;
                name ??= tool.Name;
                arguments.Append(tool.Arguments);
            }

            if (any)
            {
                writer.WriteStartObject("function_call");
                if (name is not null)
                {
                    writer.WriteString("name", name);
                }

                writer.WriteString("arguments", arguments.ToString());
                writer.WriteEndObject();
            }

            return;
        }

        writer.WriteStartArray("tool_calls");
        foreach (var tool in entry.Tools)
        {
            var payload = tool.Custom ? "custom" : "function";
            writer.WriteStartObject();
            writer.WriteNumber("index", tool.Index);
            if (tool.Id is not null)
            {
                writer.WriteString("id", tool.Id);
                writer.WriteString("type", payload);
                writer.WriteStartObject(payload);
                writer.WriteString("name", tool.Name);
            }
            else
            {
                writer.WriteStartObject(payload);
            }

            writer.WriteString(tool.Custom ? "input" : "arguments", tool.Arguments);
            writer.WriteEndObject();
            WriteSignature(writer, tool);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private sealed class ChoiceState
    {
        public bool Finished { get; set; }

        public int Tools { get; set; }

        public ThinkingTagRewriter? Thinking { get; set; }
    }

    // One choice's part of the chunk being built.
    private sealed class Entry(int choice, ChoiceState state)
    {
        public int Choice { get; } = choice;

        public ChoiceState State { get; } = state;

        public bool Role { get; set; }

        public StringBuilder? Content { get; set; }

        public StringBuilder? Reasoning { get; set; }

        public StringBuilder? Refusal { get; set; }

        public List<ToolDelta> Tools { get; } = [];

        public FinishReason? Finish { get; set; }

        /// <summary>Something besides the finish: the role, text, reasoning, a refusal or tool deltas.</summary>
        public bool HasDelta => Role || HasContent;

        /// <summary>Text, reasoning, a refusal or tool deltas.</summary>
        public bool HasContent => Content is not null || Reasoning is not null || Refusal is not null || Tools.Count > 0;

        public Entry WithoutFinish()
        {
            var copy = new Entry(Choice, State) { Role = Role, Content = Content, Reasoning = Reasoning, Refusal = Refusal };
            copy.Tools.AddRange(Tools);
            return copy;
        }

        public Entry FinishOnly() => new(Choice, State) { Finish = Finish };

        /// <summary>
        /// Takes a reasoning, refusal or tool update: streamed, each tool update is a delta of its own; in a
        /// whole answer, arguments are joined onto their call.
        /// </summary>
        public void Take(in ChatUpdate update, bool whole)
        {
            switch (update.Kind)
            {
                case ChatUpdateKind.ReasoningDelta:
                    (Reasoning ??= new StringBuilder()).Append(update.Text);
                    break;
                case ChatUpdateKind.RefusalDelta:
                    (Refusal ??= new StringBuilder()).Append(update.Text);
                    break;
                case ChatUpdateKind.ToolCallStart:
                    State.Tools++;
                    Tools.Add(new ToolDelta(update.ToolIndex, update.ToolId, update.ToolName, update.Text ?? string.Empty, update.CustomTool)
                    {
                        Signature = update.Opaque is { Kind: Configuration.ProviderKind.Gemini } signature ? signature.Encode() : null,
                    });
                    break;
                case ChatUpdateKind.ToolArgumentsDelta when !whole:
                    Tools.Add(new ToolDelta(update.ToolIndex, null, null, update.Text ?? string.Empty, update.CustomTool));
                    break;
                case ChatUpdateKind.ToolArgumentsDelta:
                    var index = update.ToolIndex;
                    if (Tools.FindLastIndex(t => t.Index == index) is var at and >= 0)
                    {
                        Tools[at] = Tools[at] with { Arguments = Tools[at].Arguments + update.Text };
                    }

                    break;
            }
        }
    }

    private sealed record ToolDelta(int Index, string? Id, string? Name, string Arguments, bool Custom)
    {
        /// <summary>A Gemini <c>thoughtSignature</c> (origin-tagged), on the call's first delta.</summary>
        public string? Signature { get; init; }
    }

    // Where Gemini's own OpenAI-compatible API puts a call's thoughtSignature; clients that keep unknown
    // fields (the OpenAI SDKs do) send it back with the call.
    private static void WriteSignature(Utf8JsonWriter writer, ToolDelta tool)
    {
        if (tool.Signature is null)
        {
            return;
        }

        writer.WriteStartObject("extra_content");
        writer.WriteStartObject("google");
        writer.WriteString("thought_signature", tool.Signature);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
