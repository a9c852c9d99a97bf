using System.Globalization;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// Reads an OpenAI Chat Completions body into the neutral <see cref="Conversation"/> (for targets of
/// another kind). System and developer messages are lifted into the system text; legacy
/// <c>functions</c>/<c>function_call</c> become tools and tool calls with synthesized ids, as on the byte
/// path. Members with no neutral counterpart are kept as raw extensions, which only an OpenAI writer uses.
/// </summary>
internal static class OpenAIChatRequestReader
{
    /// <summary>Top-level members the neutral model carries itself (everything else is an extension).</summary>
    private static readonly HashSet<string> Consumed = new(StringComparer.Ordinal)
    {
        "model", "messages", "stream", "stream_options", "tools", "functions", "tool_choice", "function_call",
        "parallel_tool_calls", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "user",
        "reasoning_effort", "response_format",
    };

    public static Conversation Read(ChatRequest request)
    {
        var conversation = new Conversation { ExtensionsFormat = WireFormat.OpenAIChat };
        using var document = JsonDocument.Parse(request.Body.Source, JsonLimits.Document);
        var root = document.RootElement;
        conversation.KeepUnread(root, Consumed);

        ReadMessages(root, conversation);
        ReadTools(root, conversation, request.LegacyFunctions);
        conversation.ToolChoice = ReadToolChoice(root);
        if (request.LegacyFunctions)
        {
            conversation.ParallelToolCalls = false;
        }
        else if (root.TryGetProperty("parallel_tool_calls", out var parallel) && parallel.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            conversation.ParallelToolCalls = parallel.GetBoolean();
        }

        conversation.MaxTokens = Int(root, "max_completion_tokens") ?? Int(root, "max_tokens");
        conversation.Temperature = Double(root, "temperature");
        conversation.TopP = Double(root, "top_p");
        if (root.TryGetProperty("stop", out var stop))
        {
            if (stop.ValueKind == JsonValueKind.String)
            {
                conversation.StopSequences.Add(stop.GetString()!);
            }
            else if (stop.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in stop.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        conversation.StopSequences.Add(item.GetString()!);
                    }
                }
            }
        }

        conversation.UserId = String(root, "user");
        var effort = String(root, "reasoning_effort");
        if (effort is not null || request.ThinkingBudget is not null)
        {
            conversation.Reasoning = new ReasoningRequest
            {
                Disabled = effort == "none",
                Effort = effort is null or "none" ? null : effort,
                BudgetTokens = request.ThinkingBudget,
            };
        }

        conversation.ResponseFormat = ReadResponseFormat(root);
        return conversation;
    }

    private static void ReadMessages(JsonElement root, Conversation conversation)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        string? pendingLegacyId = null;
        var position = -1;
        foreach (var message in messages.EnumerateArray())
        {
            position++;
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var role = String(message, "role") ?? "user";
            message.TryGetProperty("content", out var content);
            switch (role)
            {
                case "system" or "developer":
                    conversation.System.AddRange(ReadContent(content));
                    break;
                case "assistant":
                {
                    var parts = new List<ContentPart>();
                    if ((String(message, "reasoning_content") ?? String(message, "reasoning")) is { Length: > 0 } reasoning)
                    {
                        parts.Add(new ReasoningPart(reasoning, null));
                    }

                    parts.AddRange(ReadContent(content));
                    if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var call in calls.EnumerateArray())
                        {
                            if (ReadToolCall(call) is { } part)
                            {
                                parts.Add(part);
                            }
                        }
                    }

                    if (message.TryGetProperty("function_call", out var legacy) && legacy.ValueKind == JsonValueKind.Object)
                    {
                        pendingLegacyId = string.Create(CultureInfo.InvariantCulture, $"call_legacy_{position}");
                        parts.Add(new ToolCallPart(pendingLegacyId, String(legacy, "name") ?? string.Empty, ArgumentsText(legacy, "arguments")));
                    }

                    conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, parts) { Name = String(message, "name") });
                    break;
                }

                case "tool":
                    AddToolResult(conversation, new ToolResultPart(String(message, "tool_call_id") ?? string.Empty, ReadContent(content), IsError: false));
                    break;
                case "function":
                {
                    var id = pendingLegacyId ?? string.Create(CultureInfo.InvariantCulture, $"call_legacy_{position}");
                    pendingLegacyId = null;
                    AddToolResult(conversation, new ToolResultPart(id, ReadContent(content), IsError: false) { Name = String(message, "name") });
                    break;
                }

                default:
                    conversation.Messages.Add(new ChatMessage(new ChatRole(role), ReadContent(content)) { Name = String(message, "name") });
                    break;
            }
        }
    }

    // Each OpenAI tool message is a turn of its own; consecutive results stay separate messages here and
    // the writers merge them as their format needs.
    private static void AddToolResult(Conversation conversation, ToolResultPart result) =>
        conversation.Messages.Add(new ChatMessage(ChatRole.Tool, [result]));

    private static ToolCallPart? ReadToolCall(JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var custom = String(call, "type") == "custom" || call.TryGetProperty("custom", out _);
        if (!call.TryGetProperty(custom ? "custom" : "function", out var function) || function.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // Gemini's thoughtSignature, where Gemini's OpenAI-compatible API (and this gateway) put it on a call.
        var signature = call.TryGetProperty("extra_content", out var extra) && extra.ValueKind == JsonValueKind.Object
            && extra.TryGetProperty("google", out var google) && String(google, "thought_signature") is { Length: > 0 } value
            ? Opaque.Decode(value, Configuration.ProviderKind.Gemini)
            : null;
        return new ToolCallPart(String(call, "id") ?? string.Empty, String(function, "name") ?? string.Empty, ArgumentsText(function, custom ? "input" : "arguments"), custom)
        {
            Signature = signature,
        };
    }

    private static string ArgumentsText(JsonElement function, string name) =>
        !function.TryGetProperty(name, out var arguments) || arguments.ValueKind == JsonValueKind.Null ? string.Empty
        : arguments.ValueKind == JsonValueKind.String ? arguments.GetString()!
        : arguments.GetRawText();

    /// <summary>A message's <c>content</c>: a string, or an array of text, image, refusal and file parts.</summary>
    internal static List<ContentPart> ReadContent(JsonElement content)
    {
        var parts = new List<ContentPart>();
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                parts.Add(new TextPart(content.GetString()!));
                break;
            case JsonValueKind.Array:
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(new TextPart(part.GetString()!));
                        continue;
                    }

                    if (part.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    switch (String(part, "type"))
                    {
                        case "text" or "input_text" or "output_text":
                            parts.Add(new TextPart(String(part, "text") ?? string.Empty));
                            break;
                        case "refusal":
                            parts.Add(new TextPart(String(part, "refusal") ?? string.Empty));
                            break;
                        case "image_url":
                            if (part.TryGetProperty("image_url", out var image))
                            {
                                var url = image.ValueKind == JsonValueKind.String ? image.GetString() : String(image, "url");
                                if (url is not null)
                                {
                                    parts.Add(Media(url) with { Detail = image.ValueKind == JsonValueKind.Object ? String(image, "detail") : null });
                                }
                            }

                            break;
                        case "file":
                            if (part.TryGetProperty("file", out var file) && String(file, "file_data") is { } data)
                            {
                                parts.Add(Media(data) with { IsDocument = true });
                            }

                            break;
                    }
                }

                break;
        }

        return parts;
    }

    /// <summary>A <c>data:</c> URI as inline media, anything else as a URL.</summary>
    internal static MediaPart Media(string url)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma > 5 ? url[5..comma] : string.Empty;
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            var mediaType = semicolon >= 0 ? header[..semicolon] : header;
            return new MediaPart(mediaType.Length > 0 ? mediaType : "application/octet-stream", comma >= 0 ? url[(comma + 1)..] : string.Empty, null);
        }

        return new MediaPart(null, null, url);
    }

    private static void ReadTools(JsonElement root, Conversation conversation, bool legacy)
    {
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var type = String(tool, "type");
                if (type is null && tool.TryGetProperty("name", out _))
                {
                    // A bare {name, parameters} entry is a function tool, as on the byte path.
                    conversation.Tools.Add(FunctionTool(tool));
                }
                else if (type == "function" && tool.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                {
                    conversation.Tools.Add(FunctionTool(function));
                }
                else if (type == "custom" && tool.TryGetProperty("custom", out var custom) && custom.ValueKind == JsonValueKind.Object)
                {
                    conversation.Tools.Add(new ToolDefinition(String(custom, "name") ?? string.Empty, String(custom, "description"), null) { Custom = true });
                }

                // Other types (mcp, …) have no counterpart on other upstreams: dropped, as SPEC §5 says.
            }
        }

        if (legacy && root.TryGetProperty("functions", out var functions) && functions.ValueKind == JsonValueKind.Array)
        {
            foreach (var function in functions.EnumerateArray())
            {
                if (function.ValueKind == JsonValueKind.Object)
                {
                    conversation.Tools.Add(FunctionTool(function));
                }
            }
        }
    }

    private static ToolDefinition FunctionTool(JsonElement function) =>
        new(String(function, "name") ?? string.Empty, String(function, "description"),
            function.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object ? parameters.GetRawText() : null)
        {
            Strict = function.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False ? strict.GetBoolean() : null,
        };

    private static ToolChoice? ReadToolChoice(JsonElement root)
    {
        var choice = root.TryGetProperty("tool_choice", out var c) ? c : root.TryGetProperty("function_call", out var legacy) ? legacy : default;
        switch (choice.ValueKind)
        {
            case JsonValueKind.String:
                return choice.GetString() switch
                {
                    "none" => new ToolChoice(ToolChoiceMode.None),
                    "required" or "any" => new ToolChoice(ToolChoiceMode.Required),
                    _ => new ToolChoice(ToolChoiceMode.Auto),
                };
            case JsonValueKind.Object:
                var name = choice.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object ? String(function, "name")
                    : choice.TryGetProperty("custom", out var custom) && custom.ValueKind == JsonValueKind.Object ? String(custom, "name")
                    : String(choice, "name");
                return name is null ? new ToolChoice(ToolChoiceMode.Auto) : new ToolChoice(ToolChoiceMode.Tool, name);
            default:
                return null;
        }
    }

    private static ResponseFormat? ReadResponseFormat(JsonElement root)
    {
        if (!root.TryGetProperty("response_format", out var format) || format.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        switch (String(format, "type"))
        {
            case "json_object":
                return new ResponseFormat(null, null);
            case "json_schema" when format.TryGetProperty("json_schema", out var schema) && schema.ValueKind == JsonValueKind.Object:
                return new ResponseFormat(schema.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object ? s.GetRawText() : null, String(schema, "name"))
                {
                    Strict = schema.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False ? strict.GetBoolean() : null,
                };
            default:
                return null;
        }
    }
}
