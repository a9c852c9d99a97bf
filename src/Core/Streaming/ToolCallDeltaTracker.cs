using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Streaming;

/// <summary>
/// Normalizes the tool-call deltas of one choice on the byte path (SPEC §5 Tools): a 0-based stable
/// <c>index</c> per call, <c>id</c> + <c>type</c> + <c>function.name</c> on the first delta of each call,
/// arguments-only continuations. Which call a delta belongs to is <see cref="ToolCallIndexer"/>'s call.
/// </summary>
internal sealed class ToolCallDeltaTracker
{
    private readonly ToolCallIndexer _calls;

    /// <param name="usedIds">Ids already given out in this response (shared by all choices).</param>
    public ToolCallDeltaTracker(HashSet<string> usedIds)
    {
        _calls = new ToolCallIndexer(usedIds);
    }

    /// <summary>Number of calls seen so far.</summary>
    public int Count => _calls.Count;

    /// <summary>
    /// Rewrites one delta's <c>tool_calls</c> array. Returns normalized elements (0-based index order of
    /// arrival) with the call index each belongs to; elements that carry nothing are dropped.
    /// </summary>
    public List<(int Index, bool IsFirst, JsonObject Delta)> Normalize(JsonArray upstreamDeltas)
    {
        var result = new List<(int, bool, JsonObject)>(upstreamDeltas.Count);
        foreach (var node in upstreamDeltas)
        {
            if (node is not JsonObject element)
            {
                continue;
            }

            int? upstreamIndex = element["index"] is JsonValue iv && iv.TryGetValue<int>(out var i) ? i : null;
            var upstreamId = element["id"] is JsonValue idv && idv.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
            var type = element["type"] is JsonValue tv && tv.TryGetValue<string>(out var t) && t.Length > 0 ? t : null;
            var isCustom = type == "custom" || (type is null && element["custom"] is JsonObject);
            var payloadName = isCustom ? "custom" : "function";
            var payload = element[payloadName] as JsonObject;
            var name = payload?["name"] is JsonValue nv && nv.TryGetValue<string>(out var n) && n.Length > 0 ? n : null;
            var argumentsField = isCustom ? "input" : "arguments";
            var arguments = ArgumentsText(payload?[argumentsField]);

            var (call, isNew) = _calls.Resolve(upstreamIndex, upstreamId, name, isCustom);
            if (isNew)
            {
                var first = new JsonObject
                {
                    ["index"] = call.Index,
                    ["id"] = call.Id,
                    ["type"] = call.Custom ? "custom" : "function",
                    [payloadName] = new JsonObject { ["name"] = call.Name, [argumentsField] = arguments ?? string.Empty },
                };
                CopyExtras(element, first);
                result.Add((call.Index, true, first));
                continue;
            }

            if (string.IsNullOrEmpty(arguments))
            {
                continue;
            }

            var continuation = new JsonObject
            {
                ["index"] = call.Index,
                [payloadName] = new JsonObject { [argumentsField] = arguments },
            };
            result.Add((call.Index, false, continuation));
        }

        return result;
    }

    private static string? ArgumentsText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,

        // Some upstreams send arguments as an object; clients expect the JSON text.
        _ => node.ToJsonString(),
    };

    // Provider extras on a call (for example Gemini's extra_content.thought_signature) ride on the first delta.
    private static void CopyExtras(JsonObject from, JsonObject to)
    {
        foreach (var (key, value) in from)
        {
            if (key is "index" or "id" or "type" or "function" or "custom" || value is null)
            {
                continue;
            }

            to[key] = value.DeepClone();
        }
    }
}
