using System.Text.Json;

namespace Gateway.Chat;

/// <summary>
/// Token counts of one response, and whether they were estimated rather than reported. Input counts
/// exclude cached input (Anthropic's convention); OpenAI's <c>prompt_tokens</c> is their sum.
/// </summary>
/// <param name="InputTokens">Input tokens that were neither read from nor written to a prompt cache.</param>
/// <param name="OutputTokens">Output tokens, reasoning included.</param>
/// <param name="Estimated">Counted by the gateway's tokenizer because the upstream reported none.</param>
internal readonly record struct TokenUsage(int InputTokens, int OutputTokens, bool Estimated)
{
    /// <summary>Input tokens read from a prompt cache.</summary>
    public int CacheReadTokens { get; init; }

    /// <summary>Input tokens written to a prompt cache.</summary>
    public int CacheWriteTokens { get; init; }

    /// <summary>Output tokens spent on reasoning (part of <see cref="OutputTokens"/>).</summary>
    public int ReasoningTokens { get; init; }

    /// <summary>OpenAI's <c>prompt_tokens</c>: input + cache read + cache write.</summary>
    public int PromptTokens => InputTokens + CacheReadTokens + CacheWriteTokens;

    /// <summary>OpenAI's <c>completion_tokens</c>.</summary>
    public int CompletionTokens => OutputTokens;

    /// <summary>Counts reported in two places of one stream (cumulative counts): each field's larger value.</summary>
    public TokenUsage Merge(TokenUsage later) => new(Math.Max(InputTokens, later.InputTokens), Math.Max(OutputTokens, later.OutputTokens), Estimated && later.Estimated)
    {
        CacheReadTokens = Math.Max(CacheReadTokens, later.CacheReadTokens),
        CacheWriteTokens = Math.Max(CacheWriteTokens, later.CacheWriteTokens),
        ReasoningTokens = Math.Max(ReasoningTokens, later.ReasoningTokens),
    };

    /// <summary>Reads an OpenAI <c>usage</c> object (with <c>prompt_tokens_details</c> and <c>completion_tokens_details</c>).</summary>
    public static TokenUsage FromOpenAI(ReadOnlySpan<byte> usageJson)
    {
        var reader = new Utf8JsonReader(usageJson);
        int prompt = 0, completion = 0, cached = 0, cacheWrite = 0, reasoning = 0;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                prompt = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                completion = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                ReadDetails(ref reader, "cached_tokens"u8, ref cached, "cache_write_tokens"u8, ref cacheWrite);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                var unused = 0;
                ReadDetails(ref reader, "reasoning_tokens"u8, ref reasoning, default, ref unused);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        cached = Math.Clamp(cached, 0, prompt);
        cacheWrite = Math.Clamp(cacheWrite, 0, prompt - cached);
        return new TokenUsage(prompt - cached - cacheWrite, completion, false)
        {
            CacheReadTokens = cached,
            CacheWriteTokens = cacheWrite,
            ReasoningTokens = reasoning,
        };
    }

    /// <summary>Reads an Anthropic <c>usage</c> object.</summary>
    public static TokenUsage FromAnthropic(ReadOnlySpan<byte> usageJson)
    {
        var reader = new Utf8JsonReader(usageJson);
        int input = 0, output = 0, cacheRead = 0, cacheWrite = 0;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                input = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                output = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                cacheRead = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                cacheWrite = ReadInt(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(input, output, false) { CacheReadTokens = cacheRead, CacheWriteTokens = cacheWrite };
    }

    /// <summary>Writes an OpenAI <c>usage</c> object; the detail objects only when they have something to say.</summary>
    public void WriteOpenAI(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("prompt_tokens", PromptTokens);
        writer.WriteNumber("completion_tokens", CompletionTokens);
        writer.WriteNumber("total_tokens", PromptTokens + CompletionTokens);
        if (CacheReadTokens > 0 || CacheWriteTokens > 0)
        {
            writer.WriteStartObject("prompt_tokens_details");
            writer.WriteNumber("cached_tokens", CacheReadTokens);
            if (CacheWriteTokens > 0)
            {
                writer.WriteNumber("cache_write_tokens", CacheWriteTokens);
            }

            writer.WriteEndObject();
        }

        if (ReasoningTokens > 0)
        {
            writer.WriteStartObject("completion_tokens_details");
            writer.WriteNumber("reasoning_tokens", ReasoningTokens);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes an Anthropic <c>usage</c> object.</summary>
    public void WriteAnthropic(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("input_tokens", InputTokens);
        writer.WriteNumber("cache_creation_input_tokens", CacheWriteTokens);
        writer.WriteNumber("cache_read_input_tokens", CacheReadTokens);
        writer.WriteNumber("output_tokens", OutputTokens);
        writer.WriteEndObject();
    }

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
        {
            return Math.Max(0, value);
        }

        reader.Skip();
        return 0;
    }

    private static void ReadDetails(ref Utf8JsonReader reader, ReadOnlySpan<byte> first, ref int firstValue, ReadOnlySpan<byte> second, ref int secondValue)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(first))
            {
                firstValue = ReadInt(ref reader);
            }
            else if (!second.IsEmpty && reader.ValueTextEquals(second))
            {
                secondValue = ReadInt(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }
}
