using System.Buffers;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Routing;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// Writes an Anthropic Messages body from the neutral conversation, for Anthropic-kind targets of a
/// client that speaks another format (ecosystem.md §4 items 6–8): system text lifted out, consecutive
/// turns of one role merged (tool results first in their user turn), every tool_use answered by a
/// tool_result right after it, empty text blocks dropped, null content as <c>[]</c>, <c>""</c> arguments
/// as <c>{}</c>, <c>max_tokens</c> always set, thinking in the target's own form. Thinking blocks go back
/// only to the provider that signed them; unsigned reasoning is never replayed as text.
/// </summary>
internal sealed class AnthropicRequestWriter : IUpstreamRequestWriter
{
    public static readonly AnthropicRequestWriter Instance = new();

    private const string Ephemeral = """{"type":"ephemeral"}""";
    private const string MissingResult = "No result was provided for this tool call.";

    public ReadOnlyMemory<byte> Write(ChatRequest request, RouteTarget target, bool stream)
    {
        var conversation = request.Conversation!;
        var provider = target.Provider;
        var turns = Turns(conversation, provider, keepReasoning: true);
        var thinking = Thinking(conversation, provider, turns);
        if (!thinking.On)
        {
            // Without thinking, past thinking blocks are left out (and turns that held only them).
            turns = Turns(conversation, provider, keepReasoning: false);
        }

        var autoCache = provider.Options.AutoCacheBreakpoints && !HasCacheControl(conversation);
        var buffer = new ArrayBufferWriter<byte>(request.Body.Source.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model", target.Model);
            var maxTokens = conversation.MaxTokens ?? provider.Options.DefaultMaxTokens;
            if (thinking.Budget is { } budget && maxTokens <= budget)
            {
                // Anthropic requires max_tokens above the thinking budget.
                maxTokens = budget + Math.Max(conversation.MaxTokens ?? 0, provider.Options.DefaultMaxTokens);
            }

            writer.WriteNumber("max_tokens", maxTokens);
            WriteSystem(writer, conversation, autoCache);
            writer.WriteStartArray("messages");
            foreach (var turn in turns)
            {
                WriteTurn(writer, turn);
            }

            writer.WriteEndArray();
            var tools = WriteTools(writer, conversation, autoCache);
            if (tools > 0)
            {
                WriteToolChoice(writer, conversation);
            }

            if (stream)
            {
                writer.WriteBoolean("stream", true);
            }

            if (conversation.StopSequences.Count > 0)
            {
                writer.WriteStartArray("stop_sequences");
                foreach (var stop in conversation.StopSequences)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            // Thinking is incompatible with temperature and top_k changes; top_p only within 0.95..1.
            if (!thinking.On)
            {
                if (conversation.Temperature is { } temperature)
                {
                    writer.WriteNumber("temperature", Math.Clamp(temperature, 0, 1));
                }

                if (conversation.TopK is { } topK)
                {
                    writer.WriteNumber("top_k", topK);
                }
            }

            if (conversation.TopP is { } topP && (!thinking.On || topP >= 0.95))
            {
                writer.WriteNumber("top_p", topP);
            }

            if (conversation.UserId is { } user)
            {
                writer.WriteStartObject("metadata");
                writer.WriteString("user_id", user);
                writer.WriteEndObject();
            }

            if (thinking.On)
            {
                writer.WriteStartObject("thinking");
                if (thinking.Budget is { } b)
                {
                    writer.WriteString("type", "enabled");
                    writer.WriteNumber("budget_tokens", b);
                }
                else
                {
                    writer.WriteString("type", "adaptive");
                }

                if (conversation.Reasoning?.Display is { } display)
                {
                    writer.WriteString("display", display);
                }

                writer.WriteEndObject();
            }

            var effort = thinking.On && thinking.Budget is null ? conversation.Reasoning?.Effort : null;
            var format = conversation.ResponseFormat is { SchemaJson: { } schema } ? schema : null;
            if (effort is not null || format is not null)
            {
                writer.WriteStartObject("output_config");
                if (effort is not null)
                {
                    writer.WriteString("effort", effort == "minimal" ? "low" : effort);
                }

                if (format is not null)
                {
                    writer.WriteStartObject("format");
                    writer.WriteString("type", "json_schema");
                    writer.WritePropertyName("schema");
                    writer.WriteRawValue(format, skipInputValidation: true);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            if (conversation.ExtensionsFormat == WireFormat.AnthropicMessages)
            {
                foreach (var (name, json) in conversation.Extensions)
                {
                    writer.WritePropertyName(name);
                    writer.WriteRawValue(json, skipInputValidation: true);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>
    /// Whether and how to ask for thinking. <c>Native</c>: whatever the client asked; <c>Passthrough</c>: only an
    /// explicit effort or budget; never with <c>Off</c>, a forced tool choice, or when the last assistant turn
    /// called tools without thinking blocks this provider signed (Anthropic would reject the turn).
    /// </summary>
    internal static (bool On, int? Budget) Thinking(Conversation conversation, Providers.Provider provider, List<Turn> turns)
    {
        var reasoning = conversation.Reasoning;
        var wanted = reasoning is { Disabled: false } && provider.Thinking switch
        {
            ThinkingMode.Native => reasoning.Explicit || reasoning.Adaptive,
            ThinkingMode.Passthrough => reasoning.Explicit,
            _ => false,
        };
        if (!wanted || conversation.ToolChoice?.Mode is ToolChoiceMode.Required or ToolChoiceMode.Tool)
        {
            return (false, null);
        }

        var lastAssistant = turns.FindLast(t => t.Role == ChatRole.Assistant);
        if (lastAssistant is not null && lastAssistant.Parts.Exists(p => p is ToolCallPart)
            && !lastAssistant.Parts.Exists(p => p is ReasoningPart or RedactedReasoningPart))
        {
            return (false, null);
        }

        return provider.ThinkingStyle == ThinkingStyle.Budget
            ? (true, Math.Max(1024, reasoning!.BudgetOrFromEffort ?? 8192))
            : (true, null);
    }

    /// <summary>The conversation as Anthropic turns: merged by role, tool_use answered right after, foreign signatures gone.</summary>
    internal static List<Turn> Turns(Conversation conversation, Providers.Provider provider, bool keepReasoning)
    {
        var turns = new List<Turn>();
        foreach (var message in conversation.Messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            var role = message.Role == ChatRole.Assistant ? ChatRole.Assistant : ChatRole.User;
            var parts = new List<ContentPart>();
            foreach (var part in message.Parts)
            {
                switch (part)
                {
                    // Anthropic refuses text blocks of whitespace only (models often emit "\n\n" before a tool call).
                    case TextPart text when string.IsNullOrWhiteSpace(text.Text):
                        break;
                    case ReasoningPart r when role == ChatRole.Assistant && keepReasoning:
                        if (r.Signature is { } signature && signature.BelongsTo(ProviderKind.Anthropic, provider.Id))
                        {
                            parts.Add(r);
                        }

                        break;
                    case RedactedReasoningPart redacted when role == ChatRole.Assistant && keepReasoning:
                        if (redacted.Data.BelongsTo(ProviderKind.Anthropic, provider.Id))
                        {
                            parts.Add(redacted);
                        }

                        break;
                    case ReasoningPart or RedactedReasoningPart:
                        break;
                    default:
                        parts.Add(part);
                        break;
                }
            }

            if (parts.Count == 0)
            {
                continue;
            }

            if (turns.Count > 0 && turns[^1].Role == role)
            {
                turns[^1].Parts.AddRange(parts);
            }
            else
            {
                turns.Add(new Turn(role, parts));
            }
        }

        // Tool results first in their user turn, in the order of the calls they answer; every tool_use
        // answered in the turn right after it (a missing result is an error result), and a result with no
        // call before it kept as text (Anthropic rejects both orphans).
        for (var i = 0; i < turns.Count; i++)
        {
            if (turns[i].Role != ChatRole.Assistant || !turns[i].Parts.Exists(p => p is ToolCallPart) || i + 1 == turns.Count)
            {
                continue;
            }

            if (turns[i + 1].Role != ChatRole.User)
            {
                turns.Insert(i + 1, new Turn(ChatRole.User, []));
            }
        }

        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.Role != ChatRole.User)
            {
                continue;
            }

            var calls = i > 0 ? turns[i - 1].Parts.OfType<ToolCallPart>().Select(c => c.Id).ToList() : [];
            var results = turn.Parts.OfType<ToolResultPart>().ToList();
            var ordered = new List<ContentPart>(turn.Parts.Count + calls.Count);
            foreach (var id in calls)
            {
                ordered.Add((ContentPart?)results.Find(r => r.CallId == id) ?? new ToolResultPart(id, [new TextPart(MissingResult)], IsError: true));
            }

            foreach (var part in turn.Parts)
            {
                if (part is not ToolResultPart result)
                {
                    ordered.Add(part);
                }
                else if (!calls.Contains(result.CallId))
                {
                    ordered.Add(new TextPart($"[Result of tool call {result.CallId}]\n" + (Protocols.OpenAIChat.OpenAIChatRequestWriter.JoinText(result.Parts) ?? string.Empty)));
                }
            }

            turn.Parts.Clear();
            turn.Parts.AddRange(ordered);
        }

        return turns;
    }

    private static void WriteSystem(Utf8JsonWriter writer, Conversation conversation, bool autoCache)
    {
        // Mid-conversation system messages join the system prompt: every Anthropic upstream takes that,
        // while role "system" inside messages needs a beta the upstream may not have.
        var texts = conversation.System.Concat(conversation.Messages.Where(m => m.Role == ChatRole.System).SelectMany(m => m.Parts))
            .OfType<TextPart>().Where(t => !string.IsNullOrWhiteSpace(t.Text)).ToList();
        if (texts.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("system");
        for (var i = 0; i < texts.Count; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("text", texts[i].Text);
            WriteCache(writer, texts[i].CacheControl ?? (autoCache && i == texts.Count - 1 ? Ephemeral : null));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// A tool-call id as Anthropic takes it (<c>^[a-zA-Z0-9_-]+$</c>). Ids from other upstreams may hold
    /// other characters (<c>functions.bash:0</c>); they are mapped the same way on every turn, so a call
    /// and its result still match, with a short hash so two ids never map to one.
    /// </summary>
    internal static string ToolId(string id)
    {
        if (id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return id;
        }

        var safe = new System.Text.StringBuilder(id.Length + 9);
        foreach (var c in id)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return safe.Append('_').Append(Opaque.ProviderHash(id)).ToString();
    }

    private static void WriteTurn(Utf8JsonWriter writer, Turn turn)
    {
        writer.WriteStartObject();
        writer.WriteString("role", turn.Role == ChatRole.Assistant ? "assistant" : "user");
        writer.WriteStartArray("content");
        foreach (var part in turn.Parts)
        {
            WriteBlock(writer, part);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteBlock(Utf8JsonWriter writer, ContentPart part)
    {
        switch (part)
        {
            case TextPart text:
                writer.WriteStartObject();
                writer.WriteString("type", "text");
                writer.WriteString("text", text.Text);
                break;
            case ReasoningPart reasoning:
                writer.WriteStartObject();
                writer.WriteString("type", "thinking");
                writer.WriteString("thinking", reasoning.Text);
                writer.WriteString("signature", reasoning.Signature!.Value);
                break;
            case RedactedReasoningPart redacted:
                writer.WriteStartObject();
                writer.WriteString("type", "redacted_thinking");
                writer.WriteString("data", redacted.Data.Value);
                break;
            case ToolCallPart call:
                writer.WriteStartObject();
                writer.WriteString("type", "tool_use");
                writer.WriteString("id", ToolId(call.Id));
                writer.WriteString("name", call.Name);
                writer.WritePropertyName("input");
                writer.WriteRawValue(ToolInput.Of(call), skipInputValidation: true);
                break;
            case ToolResultPart result:
                writer.WriteStartObject();
                writer.WriteString("type", "tool_result");
                writer.WriteString("tool_use_id", ToolId(result.CallId));
                var nonEmpty = result.Parts.Where(p => p is not TextPart text || !string.IsNullOrWhiteSpace(text.Text)).ToList();
                if (nonEmpty.Count == 1 && nonEmpty[0] is TextPart only)
                {
                    writer.WriteString("content", only.Text);
                }
                else if (nonEmpty.Count > 0)
                {
                    writer.WriteStartArray("content");
                    foreach (var inner in nonEmpty)
                    {
                        WriteBlock(writer, inner);
                    }

                    writer.WriteEndArray();
                }

                if (result.IsError)
                {
                    writer.WriteBoolean("is_error", true);
                }

                break;
            case MediaPart media:
                writer.WriteStartObject();
                writer.WriteString("type", media.IsDocument ? "document" : "image");
                writer.WriteStartObject("source");
                if (media.Data is not null)
                {
                    writer.WriteString("type", "base64");
                    writer.WriteString("media_type", media.MediaType ?? (media.IsDocument ? "application/pdf" : "image/png"));
                    writer.WriteString("data", media.Data);
                }
                else
                {
                    writer.WriteString("type", "url");
                    writer.WriteString("url", media.Url);
                }

                writer.WriteEndObject();
                break;
            default:
                return;
        }

        WriteCache(writer, part.CacheControl);
        writer.WriteEndObject();
    }

    private static int WriteTools(Utf8JsonWriter writer, Conversation conversation, bool autoCache)
    {
        var tools = conversation.Tools.Where(t => !t.Custom && (t.NativeJson is null || t.NativeKind == ProviderKind.Anthropic)).ToList();
        if (tools.Count == 0)
        {
            return 0;
        }

        writer.WriteStartArray("tools");
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            if (tool.NativeJson is { } native)
            {
                writer.WriteRawValue(native, skipInputValidation: true);
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("name", tool.Name);
            if (tool.Description is { } description)
            {
                writer.WriteString("description", description);
            }

            writer.WritePropertyName("input_schema");
            writer.WriteRawValue(tool.ParametersJson ?? """{"type":"object","properties":{}}""", skipInputValidation: true);
            WriteCache(writer, tool.CacheControl ?? (autoCache && i == tools.Count - 1 ? Ephemeral : null));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        return tools.Count;
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, Conversation conversation)
    {
        var choice = conversation.ToolChoice;
        var oneAtATime = conversation.ParallelToolCalls == false;
        if (choice is null && !oneAtATime)
        {
            return;
        }

        writer.WriteStartObject("tool_choice");
        writer.WriteString("type", choice?.Mode switch
        {
            ToolChoiceMode.Required => "any",
            ToolChoiceMode.None => "none",
            ToolChoiceMode.Tool => "tool",
            _ => "auto",
        });
        if (choice is { Mode: ToolChoiceMode.Tool, Name: { } name })
        {
            writer.WriteString("name", name);
        }

        if (oneAtATime && choice?.Mode != ToolChoiceMode.None)
        {
            writer.WriteBoolean("disable_parallel_tool_use", true);
        }

        writer.WriteEndObject();
    }

    private static void WriteCache(Utf8JsonWriter writer, string? cacheControl)
    {
        if (cacheControl is not null)
        {
            writer.WritePropertyName("cache_control");
            writer.WriteRawValue(cacheControl, skipInputValidation: true);
        }
    }

    private static bool HasCacheControl(Conversation conversation) =>
        conversation.System.Exists(p => p.CacheControl is not null)
        || conversation.Tools.Exists(t => t.CacheControl is not null)
        || conversation.Messages.Exists(m => m.Parts.Exists(p => p.CacheControl is not null));

    /// <summary>One Anthropic turn being built.</summary>
    internal sealed record Turn(ChatRole Role, List<ContentPart> Parts);
}
