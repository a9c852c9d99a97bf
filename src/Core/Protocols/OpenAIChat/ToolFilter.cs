using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Json;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// OpenAI-kind upstreams get <c>function</c> and <c>custom</c> tools only (SPEC §5 Tools); other types such
/// as <c>mcp</c> are dropped. A bare <c>{name, parameters}</c> entry is wrapped as a function tool.
/// </summary>
internal static class ToolFilter
{
    /// <summary>True when some tool must be dropped or wrapped (checked on the raw bytes, no DOM).</summary>
    public static bool NeedsFiltering(JsonObjectIndex body, JsonArray? alreadyParsed)
    {
        if (alreadyParsed is not null)
        {
            foreach (var tool in alreadyParsed)
            {
                if (!IsSupported(tool))
                {
                    return true;
                }
            }

            return false;
        }

        if (!body.TryGet("tools", out var member) || member.ValueKind != JsonTokenType.StartArray)
        {
            return false;
        }

        var reader = new Utf8JsonReader(body.ValueOf(member));
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return true;
            }

            var supported = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    supported = reader.TokenType == JsonTokenType.String && (reader.ValueTextEquals("function"u8) || reader.ValueTextEquals("custom"u8));
                }

                reader.Skip();
            }

            if (!supported)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Drops unsupported tools in place and wraps bare function definitions.</summary>
    public static void Filter(JsonArray tools)
    {
        for (var i = tools.Count - 1; i >= 0; i--)
        {
            var tool = tools[i] as JsonObject;
            if (tool is not null && tool["type"] is null && tool["name"] is JsonValue)
            {
                tools[i] = new JsonObject { ["type"] = "function", ["function"] = tool.DeepClone() };
                continue;
            }

            if (!IsSupported(tool))
            {
                tools.RemoveAt(i);
            }
        }
    }

    private static bool IsSupported(JsonNode? tool) =>
        tool is JsonObject o && o["type"] is JsonValue type && type.TryGetValue<string>(out var t) && t is "function" or "custom";
}
