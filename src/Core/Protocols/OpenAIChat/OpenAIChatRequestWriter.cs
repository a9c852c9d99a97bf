using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Routing;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// Writes an OpenAI Chat Completions body from the neutral conversation, for OpenAI-kind targets of a
/// client that speaks another format. Thinking follows the provider's <c>Thinking</c> setting; signed
/// reasoning goes back as <c>reasoning_content</c> only to the provider that produced it.
/// </summary>
internal sealed class OpenAIChatRequestWriter : IUpstreamRequestWriter
{
    public static readonly OpenAIChatRequestWriter Instance = new();

    public ReadOnlyMemory<byte> Write(ChatRequest request, RouteTarget target, bool stream)
    {
        var conversation = request.Conversation!;
        var provider = target.Provider;
        var buffer = new ArrayBufferWriter<byte>(request.Body.Source.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model", target.Model);
            WriteMessages(writer, conversation, target);
            if (stream)
            {
                writer.WriteBoolean("stream", true);
                if (provider.Options.StreamOptions)
                {
                    writer.WritePropertyName("stream_options");
                    writer.WriteRawValue("""{"include_usage":true}"""u8, skipInputValidation: true);
                }
            }

            var tools = WriteTools(writer, conversation);
            if (tools > 0)
            {
                WriteToolChoice(writer, conversation.ToolChoice);
                if (conversation.ParallelToolCalls is { } parallel)
                {
                    writer.WriteBoolean("parallel_tool_calls", parallel);
                }
            }

            if (conversation.MaxTokens is { } maxTokens)
            {
                writer.WriteNumber("max_tokens", maxTokens);
            }

            if (conversation.Temperature is { } temperature)
            {
                writer.WriteNumber("temperature", temperature);
            }

            if (conversation.TopP is { } topP)
            {
                writer.WriteNumber("top_p", topP);
            }

            if (conversation.StopSequences.Count > 0)
            {
                writer.WriteStartArray("stop");
                foreach (var stop in conversation.StopSequences)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            if (conversation.UserId is { } user)
            {
                writer.WriteString("user", user);
            }

            if (ReasoningEffort(conversation.Reasoning, provider.Thinking) is { } effort)
            {
                writer.WriteString("reasoning_effort", effort);
            }

            WriteResponseFormat(writer, conversation.ResponseFormat);
            if (conversation.ExtensionsFormat == WireFormat.OpenAIChat)
            {
                foreach (var (name, json) in conversation.Extensions)
                {
                    // PromptTags consumes the client's thinking fields: the budget went into the prompt.
                    if (provider.Thinking == ThinkingMode.PromptTags && request.ThinkingBudget is not null && name is "thinking" or "think")
                    {
                        continue;
                    }

                    writer.WritePropertyName(name);
                    writer.WriteRawValue(json, skipInputValidation: true);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>
    /// The effort to send: with <c>Native</c>, whatever thinking the client asked for (adaptive → medium);
    /// with <c>Passthrough</c>, only an explicit effort or budget; never with <c>PromptTags</c> or <c>Off</c>.
    /// </summary>
    internal static string? ReasoningEffort(ReasoningRequest? reasoning, ThinkingMode mode)
    {
        if (reasoning is null || reasoning.Disabled)
        {
            return null;
        }

        var effort = mode switch
        {
            ThinkingMode.Native => reasoning.EffortOrFromBudget ?? (reasoning.Adaptive ? "medium" : null),
            ThinkingMode.Passthrough => reasoning.Explicit ? reasoning.EffortOrFromBudget : null,
            _ => null,
        };

        // OpenAI's scale has no "max".
        return effort == "max" ? "high" : effort;
    }

    private static void WriteMessages(Utf8JsonWriter writer, Conversation conversation, RouteTarget target)
    {
        writer.WriteStartArray("messages");
        var system = JoinText(conversation.System);
        var budget = target.Provider.Thinking == ThinkingMode.PromptTags ? conversation.Reasoning?.BudgetTokens : null;
        if (budget is { } b)
        {
            system = system is null ? ThinkingPrompt.For(b) : ThinkingPrompt.For(b) + "\n" + system;
        }

        if (system is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("role", "system");
            writer.WriteString("content", system);
            writer.WriteEndObject();
        }

        foreach (var message in conversation.Messages)
        {
            if (message.Role == ChatRole.Assistant)
            {
                WriteAssistant(writer, message, target);
            }
            else
            {
                WriteUserSide(writer, message);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteAssistant(Utf8JsonWriter writer, ChatMessage message, RouteTarget target)
    {
        writer.WriteStartObject();
        writer.WriteString("role", "assistant");
        var text = JoinText(message.Parts);
        if (text is null)
        {
            writer.WriteNull("content");
        }
        else
        {
            writer.WriteString("content", text);
        }

        // Reasoning goes back only where it came from (DeepSeek-style upstreams want it in tool loops).
        StringBuilder? reasoning = null;
        foreach (var part in message.Parts)
        {
            if (part is ReasoningPart { Signature: { } origin } r && origin.BelongsTo(ProviderKind.OpenAI, target.Provider.Id) && origin.Provider is not null)
            {
                (reasoning ??= new StringBuilder()).Append(r.Text);
            }
        }

        if (reasoning is not null)
        {
            writer.WriteString("reasoning_content", reasoning.ToString());
        }

        if (message.Name is { } name)
        {
            writer.WriteString("name", name);
        }

        var calls = false;
        foreach (var part in message.Parts)
        {
            if (part is not ToolCallPart call)
            {
                continue;
            }

            if (!calls)
            {
                writer.WriteStartArray("tool_calls");
                calls = true;
            }

            var payload = call.Custom ? "custom" : "function";
            writer.WriteStartObject();
            writer.WriteString("id", call.Id);
            writer.WriteString("type", payload);
            writer.WriteStartObject(payload);
            writer.WriteString("name", call.Name);
            writer.WriteString(call.Custom ? "input" : "arguments", call.Arguments);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        if (calls)
        {
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    // A user (or tool) turn: tool results become role:"tool" messages first, then the rest as one user
    // message. Images in tool results follow as a user message, since tool messages carry text only.
    private static void WriteUserSide(Utf8JsonWriter writer, ChatMessage message)
    {
        List<ContentPart>? rest = null;
        List<ContentPart>? resultMedia = null;
        foreach (var part in message.Parts)
        {
            if (part is ToolResultPart result)
            {
                writer.WriteStartObject();
                writer.WriteString("role", "tool");
                writer.WriteString("tool_call_id", result.CallId);
                var text = JoinText(result.Parts) ?? string.Empty;
                writer.WriteString("content", result.IsError && text.Length == 0 ? "The tool reported an error." : text);
                writer.WriteEndObject();
                foreach (var inner in result.Parts)
                {
                    if (inner is MediaPart)
                    {
                        (resultMedia ??= []).Add(inner);
                    }
                }
            }
            else
            {
                (rest ??= []).Add(part);
            }
        }

        if (resultMedia is not null)
        {
            WriteUser(writer, ChatRole.User, null, resultMedia);
        }

        if (rest is not null || message.Parts.Count == 0)
        {
            WriteUser(writer, message.Role == ChatRole.Tool ? ChatRole.User : message.Role, message.Name, rest ?? []);
        }
    }

    private static void WriteUser(Utf8JsonWriter writer, ChatRole role, string? name, List<ContentPart> parts)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role.Value);
        if (parts.Count == 1 && parts[0] is TextPart only)
        {
            writer.WriteString("content", only.Text);
        }
        else
        {
            writer.WriteStartArray("content");
            foreach (var part in parts)
            {
                switch (part)
                {
                    case TextPart text when text.Text.Length > 0:
                        writer.WriteStartObject();
                        writer.WriteString("type", "text");
                        writer.WriteString("text", text.Text);
                        writer.WriteEndObject();
                        break;
                    case MediaPart { IsDocument: true } document when document.Data is not null:
                        writer.WriteStartObject();
                        writer.WriteString("type", "file");
                        writer.WriteStartObject("file");
                        writer.WriteString("file_data", $"data:{document.MediaType};base64,{document.Data}");
                        writer.WriteEndObject();
                        writer.WriteEndObject();
                        break;
                    case MediaPart media:
                        writer.WriteStartObject();
                        writer.WriteString("type", "image_url");
                        writer.WriteStartObject("image_url");
                        writer.WriteString("url", media.Url ?? $"data:{media.MediaType};base64,{media.Data}");
                        if (media.Detail is { } detail)
                        {
                            writer.WriteString("detail", detail);
                        }

                        writer.WriteEndObject();
                        writer.WriteEndObject();
                        break;
                }
            }

            writer.WriteEndArray();
        }

        if (name is not null)
        {
            writer.WriteString("name", name);
        }

        writer.WriteEndObject();
    }

    private static int WriteTools(Utf8JsonWriter writer, Conversation conversation)
    {
        var written = 0;
        foreach (var tool in conversation.Tools)
        {
            if (tool.NativeJson is not null)
            {
                // A provider's own tool (Anthropic web search, …): nothing an OpenAI-kind upstream can run.
                continue;
            }

            if (written++ == 0)
            {
                writer.WriteStartArray("tools");
            }

            writer.WriteStartObject();
            if (tool.Custom)
            {
                writer.WriteString("type", "custom");
                writer.WriteStartObject("custom");
                writer.WriteString("name", tool.Name);
                if (tool.Description is { } customDescription)
                {
                    writer.WriteString("description", customDescription);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", tool.Name);
                if (tool.Description is { } description)
                {
                    writer.WriteString("description", description);
                }

                if (tool.ParametersJson is { } parameters)
                {
                    writer.WritePropertyName("parameters");
                    writer.WriteRawValue(parameters, skipInputValidation: true);
                }

                if (tool.Strict is { } strict)
                {
                    writer.WriteBoolean("strict", strict);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        if (written > 0)
        {
            writer.WriteEndArray();
        }

        return written;
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ToolChoice? choice)
    {
        switch (choice?.Mode)
        {
            case null:
                return;
            case ToolChoiceMode.Auto:
                writer.WriteString("tool_choice", "auto");
                break;
            case ToolChoiceMode.None:
                writer.WriteString("tool_choice", "none");
                break;
            case ToolChoiceMode.Required:
                writer.WriteString("tool_choice", "required");
                break;
            case ToolChoiceMode.Tool:
                writer.WriteStartObject("tool_choice");
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", choice.Name);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteResponseFormat(Utf8JsonWriter writer, ResponseFormat? format)
    {
        if (format is null)
        {
            return;
        }

        writer.WriteStartObject("response_format");
        if (format.SchemaJson is null)
        {
            writer.WriteString("type", "json_object");
        }
        else
        {
            writer.WriteString("type", "json_schema");
            writer.WriteStartObject("json_schema");
            writer.WriteString("name", format.Name ?? "response");
            writer.WritePropertyName("schema");
            writer.WriteRawValue(format.SchemaJson, skipInputValidation: true);
            if (format.Strict is { } strict)
            {
                writer.WriteBoolean("strict", strict);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>The text parts joined by blank lines; null when there are none.</summary>
    internal static string? JoinText(IEnumerable<ContentPart> parts)
    {
        string? single = null;
        StringBuilder? joined = null;
        foreach (var part in parts)
        {
            if (part is not TextPart text || text.Text.Length == 0)
            {
                continue;
            }

            if (single is null && joined is null)
            {
                single = text.Text;
            }
            else
            {
                joined ??= new StringBuilder(single);
                joined.Append("\n\n").Append(text.Text);
            }
        }

        return joined?.ToString() ?? single;
    }
}
