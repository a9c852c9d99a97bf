using System.Buffers;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Routing;

namespace Gateway.Protocols.Gemini;

/// <summary>
/// Writes a Gemini <c>generateContent</c> body from the neutral conversation: system text as
/// <c>systemInstruction</c>, turns as <c>contents</c> (see <see cref="GeminiContents"/>), tools as function
/// declarations with their full JSON Schema in <c>parametersJsonSchema</c> (no lossy cleaning), the tool
/// choice as <c>toolConfig</c>, and the generation settings with thinking in the provider's form. The
/// model is not in the body: Gemini names it in the path.
/// </summary>
internal sealed class GeminiRequestWriter : IUpstreamRequestWriter
{
    public static readonly GeminiRequestWriter Instance = new();

    public ReadOnlyMemory<byte> Write(ChatRequest request, RouteTarget target, bool stream) =>
        Write(request.Conversation!, target, request.Body.Source.Length, countTokens: false);

    /// <summary>
    /// The body of a <c>:countTokens</c> call: the same request wrapped in <c>generateContentRequest</c>, so the
    /// count covers system text and tools as a generation would.
    /// </summary>
    public static ReadOnlyMemory<byte> CountTokensBody(ChatRequest request, RouteTarget target) =>
        Write(request.Conversation!, target, request.Body.Source.Length, countTokens: true);

    private static ReadOnlyMemory<byte> Write(Conversation conversation, RouteTarget target, int sizeHint, bool countTokens)
    {
        var provider = target.Provider;
        var buffer = new ArrayBufferWriter<byte>(sizeHint + 256);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            if (countTokens)
            {
                writer.WriteStartObject("generateContentRequest");
                writer.WriteString("model", "models/" + (target.Model.StartsWith("models/", StringComparison.Ordinal) ? target.Model["models/".Length..] : target.Model));
            }

            writer.WriteStartArray("contents");
            foreach (var content in GeminiContents.Build(conversation, provider))
            {
                content.Write(writer);
            }

            writer.WriteEndArray();
            WriteSystem(writer, conversation);
            if (WriteTools(writer, conversation) > 0)
            {
                WriteToolConfig(writer, conversation);
            }

            if (!countTokens)
            {
                WriteGenerationConfig(writer, conversation, provider);
            }

            if (countTokens)
            {
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private static void WriteSystem(Utf8JsonWriter writer, Conversation conversation)
    {
        // Mid-conversation system messages join the system instruction: Gemini has no system role in contents.
        var texts = conversation.System.Concat(conversation.Messages.Where(m => m.Role == ChatRole.System).SelectMany(m => m.Parts))
            .OfType<TextPart>().Where(t => !string.IsNullOrWhiteSpace(t.Text)).ToList();
        if (texts.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("systemInstruction");
        writer.WriteStartArray("parts");
        foreach (var text in texts)
        {
            writer.WriteStartObject();
            writer.WriteString("text", text.Text);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static int WriteTools(Utf8JsonWriter writer, Conversation conversation)
    {
        // Custom (free-form) tools and other providers' own tools have no Gemini counterpart.
        var tools = conversation.Tools.Where(t => !t.Custom && t.NativeJson is null).ToList();
        if (tools.Count == 0)
        {
            return 0;
        }

        writer.WriteStartArray("tools");
        writer.WriteStartObject();
        writer.WriteStartArray("functionDeclarations");
        foreach (var tool in tools)
        {
            writer.WriteStartObject();
            writer.WriteString("name", tool.Name);
            if (tool.Description is { } description)
            {
                writer.WriteString("description", description);
            }

            if (tool.ParametersJson is { } schema)
            {
                writer.WritePropertyName("parametersJsonSchema");
                writer.WriteRawValue(schema, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
        return tools.Count;
    }

    private static void WriteToolConfig(Utf8JsonWriter writer, Conversation conversation)
    {
        if (conversation.ToolChoice is not { } choice)
        {
            return;
        }

        writer.WriteStartObject("toolConfig");
        writer.WriteStartObject("functionCallingConfig");
        writer.WriteString("mode", choice.Mode switch
        {
            ToolChoiceMode.Required or ToolChoiceMode.Tool => "ANY",
            ToolChoiceMode.None => "NONE",
            _ => "AUTO",
        });
        if (choice is { Mode: ToolChoiceMode.Tool, Name: { } name })
        {
            writer.WriteStartArray("allowedFunctionNames");
            writer.WriteStringValue(name);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteGenerationConfig(Utf8JsonWriter writer, Conversation conversation, Providers.Provider provider)
    {
        writer.WriteStartObject("generationConfig");
        if (conversation.MaxTokens is { } maxTokens)
        {
            writer.WriteNumber("maxOutputTokens", maxTokens);
        }

        if (conversation.Temperature is { } temperature)
        {
            writer.WriteNumber("temperature", Math.Clamp(temperature, 0, 2));
        }

        if (conversation.TopP is { } topP)
        {
            writer.WriteNumber("topP", topP);
        }

        if (conversation.TopK is { } topK)
        {
            writer.WriteNumber("topK", topK);
        }

        if (conversation.StopSequences.Count > 0)
        {
            writer.WriteStartArray("stopSequences");
            foreach (var stop in conversation.StopSequences.Take(5))
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        if (conversation.ResponseFormat is { } format)
        {
            writer.WriteString("responseMimeType", "application/json");
            if (format.SchemaJson is { } schema)
            {
                writer.WritePropertyName("responseJsonSchema");
                writer.WriteRawValue(schema, skipInputValidation: true);
            }
        }

        WriteThinking(writer, conversation, provider);
        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>thinkingConfig</c>: with <c>Native</c> whatever the client asked (adaptive thinking included), with
    /// <c>Passthrough</c> only an explicit effort or budget, never with <c>Off</c>. <c>ThinkingStyle: Budget</c>
    /// sends <c>thinkingBudget</c> (Gemini 2.5), otherwise <c>thinkingLevel</c> (Gemini 3: <c>low</c> or
    /// <c>high</c>, the levels every Gemini 3 model takes). Thoughts are asked for so the client sees them.
    /// </summary>
    private static void WriteThinking(Utf8JsonWriter writer, Conversation conversation, Providers.Provider provider)
    {
        var reasoning = conversation.Reasoning;
        if (reasoning is null || provider.Thinking is ThinkingMode.Off or ThinkingMode.PromptTags)
        {
            return;
        }

        var budgetStyle = provider.ThinkingStyle == ThinkingStyle.Budget;
        if (reasoning.Disabled)
        {
            // Gemini 3 cannot stop thinking; a 2.5 model is told to spend nothing (Pro answers with its minimum).
            if (budgetStyle)
            {
                writer.WriteStartObject("thinkingConfig");
                writer.WriteNumber("thinkingBudget", 0);
                writer.WriteEndObject();
            }

            return;
        }

        var wanted = provider.Thinking == ThinkingMode.Native ? reasoning.Explicit || reasoning.Adaptive : reasoning.Explicit;
        if (!wanted)
        {
            return;
        }

        writer.WriteStartObject("thinkingConfig");
        writer.WriteBoolean("includeThoughts", true);
        if (budgetStyle)
        {
            writer.WriteNumber("thinkingBudget", reasoning.BudgetOrFromEffort ?? -1);
        }
        else if (reasoning.EffortOrFromBudget is { } effort)
        {
            writer.WriteString("thinkingLevel", effort is "minimal" or "low" ? "low" : "high");
        }

        writer.WriteEndObject();
    }
}
