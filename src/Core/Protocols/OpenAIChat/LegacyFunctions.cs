using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Json;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// Legacy <c>functions</c>/<c>function_call</c> requests (SPEC §5 Requests) are sent upstream as tools:
/// definitions, the choice, and the history (assistant <c>function_call</c> becomes a tool call with a
/// synthesized id, and the following <c>role:"function"</c> message its tool result). Legacy
/// allows one call per turn, so <c>parallel_tool_calls:false</c> goes upstream.
/// </summary>
internal static class LegacyFunctions
{
    public static void MapRequest(JsonObjectIndex body, JsonArray messages, JsonArray tools, JsonObjectRewriter rewriter)
    {
        if (OpenAIChatRequestBuilder.ParseArray(body, "functions") is { } functions)
        {
            foreach (var function in functions)
            {
                if (function is JsonObject definition)
                {
                    tools.Add((JsonNode)new JsonObject { ["type"] = "function", ["function"] = definition.DeepClone() });
                }
            }
        }

        rewriter.Remove("functions");
        if (body.TryGet("function_call", out var choiceMember))
        {
            rewriter.Remove("function_call");
            var choice = JsonDom.Parse(body.ValueOf(choiceMember));
            if (MapChoice(choice) is { } toolChoice)
            {
                rewriter.Set("tool_choice", w => toolChoice.WriteTo(w));
            }
        }

        rewriter.Set("parallel_tool_calls", w => w.WriteBooleanValue(false));
        MapHistory(messages);
    }

    private static JsonNode? MapChoice(JsonNode? choice) => choice switch
    {
        JsonValue value when value.TryGetValue<string>(out var mode) => JsonValue.Create(mode),
        JsonObject named when named["name"] is JsonValue name => new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name.DeepClone() },
        },
        _ => null,
    };

    private static void MapHistory(JsonArray messages)
    {
        string? pendingId = null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message)
            {
                continue;
            }

            var role = message["role"] is JsonValue r && r.TryGetValue<string>(out var text) ? text : null;
            if (role == "assistant" && message["function_call"] is JsonObject call)
            {
                pendingId = string.Create(CultureInfo.InvariantCulture, $"call_legacy_{i}");
                var arguments = call["arguments"] switch
                {
                    JsonValue a when a.TryGetValue<string>(out var s) => s,
                    null => "{}",
                    var other => other.ToJsonString(),
                };
                message.Remove("function_call");
                message["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = pendingId,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call["name"]?.DeepClone(), ["arguments"] = arguments },
                });
            }
            else if (role == "function")
            {
                var content = message["content"] switch
                {
                    null => string.Empty,
                    JsonValue c when c.GetValueKind() == JsonValueKind.String => c.GetValue<string>(),
                    var other => other.ToJsonString(),
                };
                messages[i] = new JsonObject
                {
                    ["role"] = "tool",
                    ["tool_call_id"] = pendingId ?? string.Create(CultureInfo.InvariantCulture, $"call_legacy_{i}"),
                    ["content"] = content,
                };
                pendingId = null;
            }
        }
    }
}
