using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// Reads an inbound Anthropic Messages body (<c>POST /v1/messages</c>, <c>/v1/messages/count_tokens</c>)
/// into a <see cref="ChatRequest"/>: the checks every target needs, and the facts routing uses. The
/// neutral conversation is read only when a target needs translation (<see cref="AnthropicRequestReader"/>).
/// </summary>
internal static class AnthropicRequestParser
{
    public static bool TryParse(ReadOnlyMemory<byte> body, bool acceptsEventStream, bool countTokens, out ChatRequest? request, out ChatRequestError? error)
    {
        request = null;
        if (!InboundBody.TryOpen(body, "model: a string is required", out var index, out var modelId, out error))
        {
            return false;
        }

        if (!index.TryGet("messages", out var messages) || messages.ValueKind != JsonTokenType.StartArray)
        {
            error = new ChatRequestError("invalid_request", "messages: an array is required", "messages");
            return false;
        }

        if (CheckMessages(index.ValueOf(messages)) is { } messageError)
        {
            error = messageError;
            return false;
        }

        foreach (var (name, kind) in (ReadOnlySpan<(string, JsonTokenType)>)[("tools", JsonTokenType.StartArray), ("tool_choice", JsonTokenType.StartObject), ("thinking", JsonTokenType.StartObject), ("metadata", JsonTokenType.StartObject), ("output_config", JsonTokenType.StartObject), ("stop_sequences", JsonTokenType.StartArray)])
        {
            if (index.TryGet(name, out var member) && member.ValueKind != kind && member.ValueKind != JsonTokenType.Null)
            {
                error = new ChatRequestError("invalid_request", $"{name}: must be {(kind == JsonTokenType.StartArray ? "an array" : "an object")}", name);
                return false;
            }
        }

        if (index.TryGet("system", out var system) && system.ValueKind is not (JsonTokenType.String or JsonTokenType.Null)
            && (system.ValueKind != JsonTokenType.StartArray || !JsonShapes.AllTyped(index.ValueOf(system))))
        {
            error = new ChatRequestError("invalid_request", "system: must be a string or an array of text blocks", "system");
            return false;
        }

        if (index.TryGet("tools", out var toolList) && toolList.ValueKind == JsonTokenType.StartArray && !AllObjects(index.ValueOf(toolList)))
        {
            error = new ChatRequestError("invalid_request", "tools: each tool must be an object", "tools");
            return false;
        }

        // A missing max_tokens is filled in per provider; a present one must be what Anthropic takes.
        if (!countTokens && index.TryGet("max_tokens", out var maxTokens) && !JsonShapes.IsPositiveInteger(index.ValueOf(maxTokens)))
        {
            error = new ChatRequestError("invalid_request", "max_tokens: must be a positive integer", "max_tokens");
            return false;
        }

        bool stream;
        if (countTokens || !index.TryGet("stream", out var streamMember) || streamMember.ValueKind == JsonTokenType.Null)
        {
            stream = !countTokens && acceptsEventStream;
        }
        else if (streamMember.ValueKind is JsonTokenType.True or JsonTokenType.False)
        {
            stream = streamMember.ValueKind == JsonTokenType.True;
        }
        else
        {
            error = new ChatRequestError("invalid_request", "stream: must be a boolean", "stream");
            return false;
        }

        request = new ChatRequest
        {
            Format = WireFormat.AnthropicMessages,
            Body = index,
            Model = modelId,
            Stream = stream,
            ClientWantsUsage = false,
            ChoiceCount = 1,
            HasTools = index.TryGet("tools", out var tools) && tools.ValueKind == JsonTokenType.StartArray && !index.IsEmptyArray(tools),
            LegacyFunctions = false,
            ThinkingBudget = index.TryGet("thinking", out var thinking) && thinking.ValueKind == JsonTokenType.StartObject ? BudgetOf(index.ValueOf(thinking)) : null,
        };
        error = null;
        return true;
    }

    // Every message is an object with role user or assistant and content a string or an array of
    // typed blocks (what Anthropic itself checks first); the blocks' own fields are the upstream's to judge.
    // A role that cannot be decoded (an escaped lone surrogate) is invalid JSON for the gateway, as for the model id.
    private static ChatRequestError? CheckMessages(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Shape($"messages.{count}: must be an object");
            }

            string? role = null;
            var hasContent = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("role"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && !JsonStrings.TryGetString(ref reader, out role))
                    {
                        return new ChatRequestError("invalid_json", JsonStrings.Undecodable($"messages.{count}.role"), "messages");
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        if (!JsonShapes.AllTyped(ref reader))
                        {
                            return Shape($"messages.{count}.content: each block must be an object with a type");
                        }

                        hasContent = true;
                    }
                    else
                    {
                        hasContent = reader.TokenType == JsonTokenType.String;
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // "system" is Anthropic's mid-conversation system message (Claude Code sends it with the
            // mid-conversation-system beta): instructions at that point of the conversation.
            if (role is not ("user" or "assistant" or "system"))
            {
                return Shape($"messages.{count}.role: must be \"user\", \"assistant\" or \"system\"");
            }

            if (!hasContent)
            {
                return Shape($"messages.{count}.content: a string or an array of content blocks is required");
            }

            count++;
        }

        return count == 0 ? Shape("messages: at least one message is required") : null;
    }

    private static ChatRequestError Shape(string message) => new("invalid_request", message, "messages");

    private static int? BudgetOf(ReadOnlySpan<byte> thinking)
    {
        var reader = new Utf8JsonReader(thinking);
        reader.Read();
        int? budget = null;
        var enabled = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("budget_tokens"u8))
            {
                reader.Read();
                budget = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var b) && b > 0 ? b : null;
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                enabled = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("enabled"u8);
            }
            else
            {
                reader.Read();
            }

            reader.Skip();
        }

        return enabled ? budget : null;
    }

    private static bool AllObjects(ReadOnlySpan<byte> arrayJson)
    {
        var reader = new Utf8JsonReader(arrayJson);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
        }

        return true;
    }
}
