using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>Reads an inbound OpenAI Chat Completions body into a <see cref="ChatRequest"/>.</summary>
internal static class OpenAIChatRequestParser
{
    // OpenAI's own bound on n.
    private const int MaxChoices = 128;

    public static bool TryParse(ReadOnlyMemory<byte> body, bool acceptsEventStream, out ChatRequest? request, out ChatRequestError? error)
    {
        request = null;
        if (!InboundBody.TryOpen(body, "you must provide a model parameter (a string)", out var index, out var modelId, out error))
        {
            return false;
        }

        if (!index.TryGet("messages", out var messages) || messages.ValueKind != JsonTokenType.StartArray || index.IsEmptyArray(messages))
        {
            error = new ChatRequestError("invalid_request", "'messages' must be a non-empty array", "messages");
            return false;
        }

        if (CheckMessages(index.ValueOf(messages)) is { } messageError)
        {
            error = new ChatRequestError("invalid_request", messageError, "messages");
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

        var wantsUsage = false;
        if (index.TryGet("stream_options", out var streamOptions) && streamOptions.ValueKind != JsonTokenType.Null)
        {
            if (streamOptions.ValueKind != JsonTokenType.StartObject)
            {
                error = new ChatRequestError("invalid_request", "'stream_options' must be an object", "stream_options");
                return false;
            }

            wantsUsage = ReadBoolMember(index.ValueOf(streamOptions), "include_usage");
        }

        foreach (var arrayField in (ReadOnlySpan<string>)["tools", "functions"])
        {
            if (index.TryGet(arrayField, out var member) && member.ValueKind != JsonTokenType.Null
                && (member.ValueKind != JsonTokenType.StartArray || !AllObjects(index.ValueOf(member), typeMustBeString: arrayField == "tools")))
            {
                error = new ChatRequestError("invalid_request", $"'{arrayField}' must be an array of objects", arrayField);
                return false;
            }
        }

        var choiceCount = 1;
        if (index.TryGet("n", out var n) && n.ValueKind != JsonTokenType.Null)
        {
            var reader = new Utf8JsonReader(index.ValueOf(n));
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value) || value is < 1 or > MaxChoices)
            {
                error = new ChatRequestError("invalid_request", $"'n' must be an integer from 1 to {MaxChoices}", "n");
                return false;
            }

            choiceCount = value;
        }

        var legacy = index.TryGet("functions", out var functions) && functions.ValueKind == JsonTokenType.StartArray && !index.IsEmptyArray(functions);
        var hasTools = legacy || (index.TryGet("tools", out var tools) && tools.ValueKind == JsonTokenType.StartArray && !index.IsEmptyArray(tools));

        request = new ChatRequest
        {
            Body = index,
            Model = modelId,
            Stream = stream,
            ClientWantsUsage = stream && wantsUsage,
            ChoiceCount = choiceCount,
            HasTools = hasTools,
            LegacyFunctions = legacy,
            ThinkingBudget = ThinkingBudgetOf(index),
        };
        error = null;
        return true;
    }

    /// <summary>SPEC §5 Thinking: <c>thinking</c>, <c>think</c> or <c>providerOptions.*.thinking|think</c> with a positive integer budget.</summary>
    private static int? ThinkingBudgetOf(JsonObjectIndex index)
    {
        foreach (var name in (ReadOnlySpan<string>)["thinking", "think"])
        {
            if (index.TryGet(name, out var member) && member.ValueKind == JsonTokenType.StartObject
                && BudgetOf(index.ValueOf(member)) is { } budget)
            {
                return budget;
            }
        }

        if (index.TryGet("providerOptions", out var providerOptions) && providerOptions.ValueKind == JsonTokenType.StartObject)
        {
            using var document = JsonDocument.Parse(index.ValueMemoryOf(providerOptions));
            foreach (var provider in document.RootElement.EnumerateObject())
            {
                if (provider.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var name in (ReadOnlySpan<string>)["thinking", "think"])
                {
                    if (provider.Value.TryGetProperty(name, out var thinking) && thinking.ValueKind == JsonValueKind.Object
                        && BudgetOf(thinking) is { } budget)
                    {
                        return budget;
                    }
                }
            }
        }

        return null;
    }

    private static int? BudgetOf(ReadOnlySpan<byte> objectJson)
    {
        var reader = new Utf8JsonReader(objectJson);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isBudget = reader.ValueTextEquals("budget_tokens"u8) || reader.ValueTextEquals("budgetTokens"u8);
            reader.Read();
            if (isBudget && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var budget) && budget > 0)
            {
                return budget;
            }

            reader.Skip();
        }

        return null;
    }

    private static int? BudgetOf(JsonElement thinking) =>
        (thinking.TryGetProperty("budget_tokens", out var b) || thinking.TryGetProperty("budgetTokens", out b))
        && b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out var budget) && budget > 0 ? budget : null;

    private static bool ReadBoolMember(ReadOnlySpan<byte> objectJson, string name)
    {
        var reader = new Utf8JsonReader(objectJson);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                return reader.TokenType == JsonTokenType.True;
            }

            reader.Skip();
        }

        return false;
    }

    // Each message an object with a string role; content, when present, a string, null or an array of parts
    // (objects). Roles are open (a new one reaches the upstream); the parts' own fields are the upstream's to judge.
    private static string? CheckMessages(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"messages[{position}] must be an object with a string 'role'";
            }

            var hasRole = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRole = reader.ValueTextEquals("role"u8);
                var isContent = reader.ValueTextEquals("content"u8);
                reader.Read();
                if (isRole)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return $"messages[{position}].role must be a string";
                    }

                    hasRole = true;
                }
                else if (isContent && reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null)
                    && (reader.TokenType != JsonTokenType.StartArray || !AllObjects(ref reader, typeMustBeString: false)))
                {
                    return $"messages[{position}].content must be a string, null or an array of content parts";
                }

                reader.Skip();
            }

            if (!hasRole)
            {
                return $"messages[{position}] must be an object with a string 'role'";
            }

            position++;
        }

        return null;
    }

    private static bool AllObjects(ReadOnlySpan<byte> arrayJson, bool typeMustBeString)
    {
        var reader = new Utf8JsonReader(arrayJson);
        reader.Read();
        return AllObjects(ref reader, typeMustBeString);
    }

    // The reader is on StartArray; it is left on the matching EndArray.
    private static bool AllObjects(ref Utf8JsonReader reader, bool typeMustBeString)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType && typeMustBeString && reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                reader.Skip();
            }
        }

        return true;
    }
}
