using System.Globalization;
using System.Text.Json.Nodes;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// SPEC §5 Thinking, PromptTags providers: the budget goes into the system prompt as
/// <c>&lt;thinking_mode&gt;interleaved&lt;/thinking_mode&gt;&lt;max_thinking_length&gt;N&lt;/max_thinking_length&gt;</c>.
/// </summary>
internal static class ThinkingPrompt
{
    public static string For(int budget) =>
        string.Create(CultureInfo.InvariantCulture, $"<thinking_mode>interleaved</thinking_mode><max_thinking_length>{budget}</max_thinking_length>");

    /// <summary>Prefixes the first system message, or inserts one at the start.</summary>
    public static void Inject(JsonArray messages, int budget)
    {
        var prefix = For(budget);
        foreach (var node in messages)
        {
            if (node is not JsonObject message || message["role"] is not JsonValue role || !role.TryGetValue<string>(out var name) || name != "system")
            {
                continue;
            }

            switch (message["content"])
            {
                case JsonValue text when text.TryGetValue<string>(out var s):
                    message["content"] = prefix + "\n" + s;
                    return;
                case JsonArray parts:
                    parts.Insert(0, new JsonObject { ["type"] = "text", ["text"] = prefix });
                    return;
                default:
                    message["content"] = prefix;
                    return;
            }
        }

        messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = prefix });
    }
}
