using System.Text.Json;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// An OpenAI-kind upstream's chunks (and whole completions) as neutral updates. Tool-call deltas are
/// matched to their calls (<see cref="ToolCallIndexer"/>), so every call has a stable 0-based index and
/// a unique id whatever the upstream sent; arguments are passed on as they arrive.
/// </summary>
internal sealed class OpenAIChatDecoder : IUpstreamDecoder
{
    private readonly HashSet<string> _usedIds = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ToolCallIndexer> _tools = [];
    private bool _started;

    public StreamStep Decode(in SseEvent upstream, List<ChatUpdate> updates) =>
        TryDecode(upstream.Data.Span, updates, whole: false, out var error) ? StreamStep.Preamble : error ? StreamStep.UpstreamError : StreamStep.Malformed;

    public bool DecodeWhole(ReadOnlySpan<byte> body, List<ChatUpdate> updates) =>
        TryDecode(body, updates, whole: true, out _) && updates.Exists(u => u.Kind == ChatUpdateKind.Finish);

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> data, int status, string detail) =>
        FailureClassifier.FromBody(OpenAIErrorEnvelope.ExtractMessage(data), status, detail);

    private bool TryDecode(ReadOnlySpan<byte> json, List<ChatUpdate> updates, bool whole, out bool error)
    {
        error = false;
        var start = updates.Count;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? id = null, model = null;
            long? created = null;
            TokenUsage? usage = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        ReadChoices(ref reader, updates, whole);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    var begin = (int)reader.TokenStartIndex;
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    if (isObject)
                    {
                        usage = TokenUsage.FromOpenAI(json[begin..(int)reader.BytesConsumed]);
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.String;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    model = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("created"u8))
                {
                    reader.Read();
                    created = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var c) ? c : null;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.Read() || error)
            {
                updates.RemoveRange(start, updates.Count - start);
                return false;
            }

            if (!_started && (id is not null || model is not null))
            {
                _started = true;
                // Before this chunk's choices, which only this chunk added.
                updates.Insert(start, new ChatUpdate { Kind = ChatUpdateKind.Start, ResponseId = id, Model = model, Created = created });
            }

            if (usage is { } u)
            {
                updates.Add(ChatUpdate.UsageReport(u));
            }

            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            updates.RemoveRange(start, updates.Count - start);
            return false;
        }
    }

    private void ReadChoices(ref Utf8JsonReader reader, List<ChatUpdate> updates, bool whole)
    {
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var choice = position++;
            var begin = updates.Count;
            string? finish = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index))
                    {
                        choice = Math.Clamp(index, 0, 127);
                    }
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    finish = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals(whole ? "message"u8 : "delta"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadDelta(ref reader, updates, whole);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (whole)
            {
                // A message lists content before reasoning_content, but the model reasoned first.
                var reasoningFirst = updates.GetRange(begin, updates.Count - begin).OrderBy(u => u.Kind == ChatUpdateKind.ReasoningDelta ? 0 : 1).ToList();
                updates.RemoveRange(begin, updates.Count - begin);
                updates.AddRange(reasoningFirst);
            }

            // The index may come after the delta: the choice is known only now.
            for (var i = begin; i < updates.Count; i++)
            {
                var update = updates[i] with { Choice = choice };
                updates[i] = update.Kind == ChatUpdateKind.ToolCallStart ? ResolveTool(update) : update;
            }

            if (finish is { Length: > 0 })
            {
                updates.Add(ChatUpdate.Finished(new FinishReason(finish), choice));
            }
            else if (whole)
            {
                // A completion always ends its choices; a missing reason is derived like any other.
                updates.Add(ChatUpdate.Finished(FinishReason.Stop, choice));
            }
        }

        // Updates the resolver dropped (continuations that carried nothing) are marked with a negative index.
        updates.RemoveAll(u => u.Kind == ChatUpdateKind.ToolArgumentsDelta && u.ToolIndex < 0);
    }

    private static void ReadDelta(ref Utf8JsonReader reader, List<ChatUpdate> updates, bool whole)
    {
        // Some upstreams send the reasoning under both names in one delta: it is one text, taken once.
        var reasoningSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("role"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    updates.Add(new ChatUpdate { Kind = ChatUpdateKind.Start, AnnouncesRole = true });
                }
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                AddText(ref reader, updates, ChatUpdateKind.TextDelta);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
            {
                if (reasoningSeen)
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                var before = updates.Count;
                AddText(ref reader, updates, ChatUpdateKind.ReasoningDelta);
                reasoningSeen = updates.Count > before;
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                AddText(ref reader, updates, ChatUpdateKind.RefusalDelta);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    var position = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            // In a whole message every element is a call of its own, whatever its id says.
                            ReadToolCall(ref reader, updates, legacy: false, whole ? position++ : null);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("function_call"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadToolCall(ref reader, updates, legacy: true, null);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    // Reads one tool_calls element (or a legacy function_call object) into a provisional update the
    // choice loop resolves once the choice index is known: ToolCallStart when it names a function or
    // carries an id, otherwise ToolArgumentsDelta.
    private static void ReadToolCall(ref Utf8JsonReader reader, List<ChatUpdate> updates, bool legacy, int? position)
    {
        int? index = legacy ? 0 : position;
        string? id = null, name = null, arguments = null, type = null;
        var sawCustom = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (legacy)
            {
                ReadFunction(ref reader, ref name, ref arguments, "arguments"u8);
                continue;
            }

            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = position ?? (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i) ? i : null);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                id = ReadString(ref reader) is { Length: > 0 } s ? s : null;
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                type = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("function"u8) || reader.ValueTextEquals("custom"u8))
            {
                var custom = reader.ValueTextEquals("custom"u8);
                sawCustom |= custom;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    ReadFunction(ref reader, ref name, ref arguments, custom ? "input"u8 : "arguments"u8);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var isCustom = type == "custom" || (type is null && sawCustom);

        // Provisional: ToolIndex carries the upstream index (or -1), ToolName the name, ToolId stays null
        // until resolved; the upstream id rides in Text of a start and is replaced when resolved.
        updates.Add(new ChatUpdate
        {
            Kind = ChatUpdateKind.ToolCallStart,
            ToolIndex = index ?? -1,
            ToolName = name,
            CustomTool = isCustom,
            Text = arguments,
            ResponseId = id,
        });
    }

    private static void ReadFunction(ref Utf8JsonReader reader, ref string? name, ref string? arguments, ReadOnlySpan<byte> argumentsName)
    {
        if (reader.ValueTextEquals("name"u8))
        {
            name = ReadString(ref reader) is { Length: > 0 } n ? n : null;
        }
        else if (reader.ValueTextEquals(argumentsName))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                arguments = reader.GetString();
            }
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                // Some upstreams send arguments as an object; clients expect the JSON text.
                using var document = JsonDocument.ParseValue(ref reader);
                arguments = document.RootElement.GetRawText();
            }
            else
            {
                reader.Skip();
            }
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }

    // Turns a provisional tool update into a start (first delta of a call) or an arguments delta.
    private ChatUpdate ResolveTool(ChatUpdate provisional)
    {
        if (!_tools.TryGetValue(provisional.Choice, out var indexer))
        {
            indexer = new ToolCallIndexer(_usedIds);
            _tools[provisional.Choice] = indexer;
        }

        int? upstreamIndex = provisional.ToolIndex < 0 ? null : provisional.ToolIndex;
        var (call, isNew) = indexer.Resolve(upstreamIndex, provisional.ResponseId, provisional.ToolName, provisional.CustomTool);
        if (isNew)
        {
            return new ChatUpdate
            {
                Kind = ChatUpdateKind.ToolCallStart,
                Choice = provisional.Choice,
                ToolIndex = call.Index,
                ToolId = call.Id,
                ToolName = call.Name,
                CustomTool = call.Custom,
                Text = provisional.Text ?? string.Empty,
            };
        }

        return string.IsNullOrEmpty(provisional.Text)
            ? new ChatUpdate { Kind = ChatUpdateKind.ToolArgumentsDelta, ToolIndex = -1 }
            : new ChatUpdate { Kind = ChatUpdateKind.ToolArgumentsDelta, Choice = provisional.Choice, ToolIndex = call.Index, ToolId = call.Id, CustomTool = call.Custom, Text = provisional.Text };
    }

    private static void AddText(ref Utf8JsonReader reader, List<ChatUpdate> updates, ChatUpdateKind kind)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
        {
            updates.Add(new ChatUpdate { Kind = kind, Text = reader.GetString() });
        }
        else
        {
            reader.Skip();
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }
}
