using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Streaming;

/// <summary>
/// Normalizes the tool-call deltas of one choice (SPEC §5 Tools): a 0-based stable <c>index</c> per call,
/// <c>id</c> + <c>type</c> + <c>function.name</c> on the first delta of each call, arguments-only
/// continuations. Upstreams get this wrong in many ways (1-based or missing indices, ids repeated on
/// every delta, two calls sharing one index, duplicate ids), so calls are tracked explicitly.
/// </summary>
internal sealed class ToolCallDeltaTracker
{
    private readonly List<Call> _calls = [];
    private readonly HashSet<string> _usedIds;

    /// <param name="usedIds">Ids already given out in this response (shared by all choices).</param>
    public ToolCallDeltaTracker(HashSet<string> usedIds)
    {
        _usedIds = usedIds;
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

            var call = Find(upstreamIndex, upstreamId, name);
            if (call is null)
            {
                call = new Call(_calls.Count, upstreamIndex, upstreamId, UniqueId(upstreamId), name ?? string.Empty, isCustom ? "custom" : "function");
                _calls.Add(call);
                var first = new JsonObject
                {
                    ["index"] = call.Index,
                    ["id"] = call.Id,
                    ["type"] = call.Type,
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

    private Call? Find(int? upstreamIndex, string? upstreamId, string? name)
    {
        if (upstreamId is not null)
        {
            // An id names its call: a new id is a new call even if the index repeats, and a repeated id
            // under another index is a second call whose upstream reused the id.
            for (var i = _calls.Count - 1; i >= 0; i--)
            {
                if (_calls[i].UpstreamId == upstreamId
                    && (upstreamIndex is null || _calls[i].UpstreamIndex is null || _calls[i].UpstreamIndex == upstreamIndex))
                {
                    return _calls[i];
                }
            }

            return null;
        }

        if (upstreamIndex is not null)
        {
            for (var i = _calls.Count - 1; i >= 0; i--)
            {
                if (_calls[i].UpstreamIndex == upstreamIndex)
                {
                    return _calls[i];
                }
            }

            return null;
        }

        // Neither index nor id: a continuation of the latest call, unless it names a function (a new call).
        return name is null && _calls.Count > 0 ? _calls[^1] : null;
    }

    private string UniqueId(string? upstreamId)
    {
        if (upstreamId is not null && _usedIds.Add(upstreamId))
        {
            return upstreamId;
        }

        string id;
        do
        {
            id = NewCallId();
        }
        while (!_usedIds.Add(id));
        return id;
    }

    /// <summary>A fresh <c>call_…</c> id (24 random alphanumerics, as OpenAI's).</summary>
    public static string NewCallId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return "call_" + RandomNumberGenerator.GetString(alphabet, 24);
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

    private sealed record Call(int Index, int? UpstreamIndex, string? UpstreamId, string Id, string Name, string Type);
}
