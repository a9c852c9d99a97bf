using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;

namespace Gateway.Protocols.OpenAIResponses;

/// <summary>
/// Reads an inbound OpenAI Responses body (<c>POST /v1/responses</c>) into a <see cref="ChatRequest"/>: the
/// checks every target needs (the shapes the gateway reads) and the facts routing uses. The neutral
/// conversation is read by <see cref="ResponsesRequestReader"/>.
/// </summary>
internal static class ResponsesRequestParser
{
    public static bool TryParse(ReadOnlyMemory<byte> body, bool acceptsEventStream, out ChatRequest? request, out ChatRequestError? error)
    {
        request = null;
        if (!InboundBody.TryOpen(body, "you must provide a model parameter (a string)", out var index, out var modelId, out error))
        {
            return false;
        }

        if (!index.TryGet("input", out var input) || input.ValueKind is not (JsonTokenType.String or JsonTokenType.StartArray))
        {
            error = new ChatRequestError("invalid_request", "'input' must be a string or an array of input items", "input");
            return false;
        }

        if (input.ValueKind == JsonTokenType.StartArray && index.IsEmptyArray(input))
        {
            error = new ChatRequestError("invalid_request", "'input' must not be empty", "input");
            return false;
        }

        if (input.ValueKind == JsonTokenType.StartArray && CheckItems(index.ValueOf(input)) is { } itemError)
        {
            error = new ChatRequestError("invalid_request", itemError, "input");
            return false;
        }

        if (index.TryGet("instructions", out var instructions) && instructions.ValueKind is not (JsonTokenType.String or JsonTokenType.Null))
        {
            error = new ChatRequestError("invalid_request", "'instructions' must be a string", "instructions");
            return false;
        }

        if (index.TryGet("tools", out var tools) && tools.ValueKind != JsonTokenType.Null
            && (tools.ValueKind != JsonTokenType.StartArray || !JsonShapes.AllTyped(index.ValueOf(tools))))
        {
            error = new ChatRequestError("invalid_request", "'tools' must be an array of tools, each with a string 'type'", "tools");
            return false;
        }

        foreach (var (name, kind) in (ReadOnlySpan<(string, JsonTokenType)>)[("reasoning", JsonTokenType.StartObject), ("text", JsonTokenType.StartObject), ("metadata", JsonTokenType.StartObject), ("include", JsonTokenType.StartArray), ("previous_response_id", JsonTokenType.String), ("prompt_cache_key", JsonTokenType.String)])
        {
            if (index.TryGet(name, out var member) && member.ValueKind != kind && member.ValueKind != JsonTokenType.Null)
            {
                error = new ChatRequestError("invalid_request", $"'{name}' must be {(kind == JsonTokenType.StartObject ? "an object" : kind == JsonTokenType.StartArray ? "an array" : "a string")}", name);
                return false;
            }
        }

        if (index.TryGet("max_output_tokens", out var maxTokens) && maxTokens.ValueKind != JsonTokenType.Null && !JsonShapes.IsPositiveInteger(index.ValueOf(maxTokens)))
        {
            error = new ChatRequestError("invalid_request", "'max_output_tokens' must be a positive integer", "max_output_tokens");
            return false;
        }

        bool stream;
        if (!index.TryGet("stream", out var streamMember) || streamMember.ValueKind == JsonTokenType.Null)
        {
            stream = acceptsEventStream;
        }
        else if (streamMember.ValueKind is JsonTokenType.True or JsonTokenType.False)
        {
            stream = streamMember.ValueKind == JsonTokenType.True;
        }
        else
        {
            error = new ChatRequestError("invalid_request", "'stream' must be a boolean", "stream");
            return false;
        }

        string? sessionHint = null;
        if (index.TryGet("prompt_cache_key", out var cacheKey) && cacheKey.ValueKind == JsonTokenType.String && !index.TryGetString(cacheKey, out sessionHint))
        {
            error = new ChatRequestError("invalid_json", JsonStrings.Undecodable("prompt_cache_key"), "prompt_cache_key");
            return false;
        }

        request = new ChatRequest
        {
            Format = WireFormat.OpenAIResponses,
            Body = index,
            Model = modelId!,
            Stream = stream,
            ClientWantsUsage = false,
            ChoiceCount = 1,
            HasTools = tools.ValueKind == JsonTokenType.StartArray && !index.IsEmptyArray(tools),
            LegacyFunctions = false,
            ThinkingBudget = null,
            SessionHint = sessionHint,
        };
        error = null;
        return true;
    }

    // Every item an object; a typed item's type a string; a message's role a string and its content a
    // string or an array of typed parts. The rest of an item's fields are the target's to judge.
    private static string? CheckItems(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"input[{position}] must be an object";
            }

            var typedOrRole = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isRole = reader.ValueTextEquals("role"u8);
                var isContent = reader.ValueTextEquals("content"u8);
                typedOrRole |= isType || isRole;
                reader.Read();
                if ((isType || isRole) && reader.TokenType != JsonTokenType.String)
                {
                    return $"input[{position}].{(isType ? "type" : "role")} must be a string";
                }

                if (isContent && reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null)
                    && (reader.TokenType != JsonTokenType.StartArray || !JsonShapes.AllTyped(ref reader)))
                {
                    return $"input[{position}].content must be a string or an array of content parts, each with a string 'type'";
                }

                reader.Skip();
            }

            if (!typedOrRole)
            {
                return $"input[{position}] must have a 'type' (or, for a message, a 'role')";
            }

            position++;
        }

        return null;
    }
}
