using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>Reads an inbound OpenAI Chat Completions body into a <see cref="ChatRequest"/>.</summary>
internal static class OpenAIChatRequestParser
{
    public static bool TryParse(ReadOnlyMemory<byte> body, bool acceptsEventStream, out ChatRequest? request, out ChatRequestError? error)
    {
        request = null;
        if (!JsonObjectIndex.TryCreate(body, out var index, out var jsonError))
        {
            error = new ChatRequestError("invalid_json", jsonError!, null);
            return false;
        }

        if (!index!.TryGet("model", out var model) || model.ValueKind != JsonTokenType.String)
        {
            error = new ChatRequestError("invalid_request", "you must provide a model parameter (a string)", "model");
            return false;
        }

        var modelId = ReadString(index, model);
        if (string.IsNullOrWhiteSpace(modelId))
        {
            error = new ChatRequestError("invalid_request", "you must provide a model parameter (a string)", "model");
            return false;
        }

        if (!index.TryGet("messages", out var messages) || messages.ValueKind != JsonTokenType.StartArray || IsEmptyArray(index, messages))
        {
            error = new ChatRequestError("invalid_request", "'messages' must be a non-empty array", "messages");
            return false;
        }

        if (!AllMessagesWellFormed(index, messages))
        {
            error = new ChatRequestError("invalid_request", "each entry of 'messages' must be an object with a string 'role'", "messages");
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
            if (index.TryGet(arrayField, out var member) && member.ValueKind is not (JsonTokenType.StartArray or JsonTokenType.Null))
            {
                error = new ChatRequestError("invalid_request", $"'{arrayField}' must be an array", arrayField);
                return false;
            }
        }

        var choiceCount = 1;
        if (index.TryGet("n", out var n) && n.ValueKind == JsonTokenType.Number)
        {
            var reader = new Utf8JsonReader(index.ValueOf(n));
            reader.Read();
            if (reader.TryGetInt32(out var value) && value > 1)
            {
                choiceCount = Math.Min(value, 128);
            }
        }

        var legacy = index.TryGet("functions", out var functions) && functions.ValueKind == JsonTokenType.StartArray && !IsEmptyArray(index, functions);
        var hasTools = legacy || (index.TryGet("tools", out var tools) && tools.ValueKind == JsonTokenType.StartArray && !IsEmptyArray(index, tools));

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

    private static string ReadString(JsonObjectIndex index, in JsonMember member)
    {
        var reader = new Utf8JsonReader(index.ValueOf(member));
        reader.Read();
        return reader.GetString() ?? string.Empty;
    }

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

    private static bool IsEmptyArray(JsonObjectIndex index, in JsonMember member)
    {
        var reader = new Utf8JsonReader(index.ValueOf(member));
        reader.Read();
        return reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool AllMessagesWellFormed(JsonObjectIndex index, in JsonMember member)
    {
        var reader = new Utf8JsonReader(index.ValueOf(member));
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var hasRole = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRole = reader.ValueTextEquals("role"u8);
                reader.Read();
                if (isRole)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    hasRole = true;
                }

                reader.Skip();
            }

            if (!hasRole)
            {
                return false;
            }
        }

        return true;
    }
}
