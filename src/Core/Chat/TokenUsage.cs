using System.Text.Json;

namespace Gateway.Chat;

/// <summary>Token counts of one response, and whether they were estimated rather than reported.</summary>
internal readonly record struct TokenUsage(int PromptTokens, int CompletionTokens, bool Estimated)
{
    /// <summary>Reads prompt and completion counts from an OpenAI <c>usage</c> object.</summary>
    public static TokenUsage FromOpenAI(ReadOnlySpan<byte> usageJson)
    {
        var reader = new Utf8JsonReader(usageJson);
        int prompt = 0, completion = 0;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isPrompt = reader.ValueTextEquals("prompt_tokens"u8);
            var isCompletion = reader.ValueTextEquals("completion_tokens"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number)
            {
                if (isPrompt)
                {
                    reader.TryGetInt32(out prompt);
                }
                else if (isCompletion)
                {
                    reader.TryGetInt32(out completion);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return new TokenUsage(prompt, completion, false);
    }

    /// <summary>Writes an OpenAI <c>usage</c> object.</summary>
    public void WriteOpenAI(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("prompt_tokens", PromptTokens);
        writer.WriteNumber("completion_tokens", CompletionTokens);
        writer.WriteNumber("total_tokens", PromptTokens + CompletionTokens);
        writer.WriteEndObject();
    }
}
