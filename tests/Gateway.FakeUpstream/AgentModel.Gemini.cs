using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.FakeUpstream;

/// <summary>
/// The Gemini form of the agent model. It makes two tool calls before its final answer — the write, then a
/// read of the written file (the second call in one conversation is where a lost <c>thoughtSignature</c>
/// breaks agents elsewhere) — the first without a call id, the second with one. Each call carries a
/// <c>thoughtSignature</c>, and, like Gemini 3, every step of the current turn must bring its signature back
/// on its first <c>functionCall</c>, exactly as issued: a missing one gets Gemini's 400 for a missing
/// signature, another value (the skip sentinel included: all this history is the model's own) the 400 for a
/// corrupted one. Function responses must name the call they answer, and carry its id when it had one.
/// </summary>
public static partial class AgentModel
{
    /// <summary>The Gemini <c>generateContent</c> form (<c>:streamGenerateContent?alt=sse</c> and <c>:generateContent</c>).</summary>
    /// <param name="log">Gets one line per request saying what the model answered (for the agent scripts' record).</param>
    public static Script Gemini(TextWriter? log = null) => async (context, request) =>
    {
        var body = Parse(request.Body);
        var stream = GeminiEvents.Streams(request);
        if (body?["contents"] is not JsonArray contents || contents.Count == 0)
        {
            log?.WriteLine("agent model, Gemini format: not an agent turn, echoed");
            await GeminiEvents.Echo()(context, request);
            return;
        }

        var turnStart = TurnStart(contents);
        var steps = contents.Skip(turnStart).OfType<JsonObject>().Count(c => Role(c) == "model" && Parts(c).Any(p => p["functionCall"] is not null));
        var lastIsResult = Parts(contents[^1] as JsonObject).Any(p => p["functionResponse"] is not null);
        var tools = (body["tools"] as JsonArray)?.OfType<JsonObject>()
            .SelectMany(t => (t["functionDeclarations"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Select(f => new Tool((f["name"] as JsonValue)?.GetValue<string>(), f["parametersJsonSchema"] ?? f["parameters"]))
            .ToList() ?? [];
        var plan = Plan.From(UserText(contents), contents.Count, lastIsResult ? steps : 0, tools, steps: 2);
        var thinks = body["generationConfig"]?["thinkingConfig"]?["includeThoughts"] is JsonValue include && include.GetValue<bool>();
        var bad = CheckHistory(contents, turnStart);
        var what = bad ?? plan switch
        {
            null => "not an agent turn, echoed",
            { Call: null } => "tool results came back, final answer",
            { Call: { } c } => $"tool call {steps + 1} ({c.Tool}){(thinks ? " after a thought" : string.Empty)}",
        };
        log?.WriteLine($"agent model, Gemini format: {what}; stream={stream.ToString().ToLowerInvariant()}, tools={tools.Count}, signed steps in history={steps}");
        if (bad is not null)
        {
            await GeminiEvents.Error(400, "INVALID_ARGUMENT", bad)(context, request);
            return;
        }

        if (plan is null)
        {
            await GeminiEvents.Echo()(context, request);
            return;
        }

        var parts = new JsonArray();
        if (thinks)
        {
            parts.Add(GeminiEvents.Thought(Thought));
        }

        if (plan.Call is not { } call)
        {
            parts.Add(GeminiEvents.Text(FinalText, signature: GeminiSignature(steps, "final")));
        }
        else
        {
            parts.Add(GeminiEvents.Call(call.Tool, JsonNode.Parse(call.Arguments)!.AsObject(), id: steps == 0 ? null : "gm-call-" + steps, signature: GeminiSignature(steps, call.Tool)));
        }

        var usage = GeminiEvents.Usage(30, plan.Call is null ? 6 : 12, thoughts: thinks ? 8 : 0);
        if (!stream)
        {
            await Scripts.Json(GeminiEvents.Response(parts, "STOP", usage).ToJsonString())(context, request);
            return;
        }

        // The thought first, then the call (or answer) with the finish reason and usage, as Gemini streams them.
        var events = new List<SseStep>();
        if (thinks)
        {
            events.Add(GeminiEvents.Event(GeminiEvents.Response(new JsonArray(parts[0]!.DeepClone()), usage: GeminiEvents.Usage(30, 0))));
            parts.RemoveAt(0);
        }

        events.Add(GeminiEvents.Event(GeminiEvents.Response(parts, "STOP", usage)));
        await Scripts.Sse([.. events])(context, request);
    };

    // The signature this model issues for its call at step k of a turn.
    private static string GeminiSignature(int step, string name) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"agent-gemini:step{step}:{name}"));

    // Where the current turn starts: after the last user content with text and no function response.
    private static int TurnStart(JsonArray contents)
    {
        for (var i = contents.Count - 1; i >= 0; i--)
        {
            var content = contents[i] as JsonObject;
            if (Role(content) == "user" && Parts(content).Any(p => p["text"] is not null) && !Parts(content).Any(p => p["functionResponse"] is not null))
            {
                return i + 1;
            }
        }

        return 0;
    }

    // Gemini 3's rule for the current turn: each step's first call carries the signature issued with it; each
    // response names (and, when the call had an id, identifies) the call it answers. Null when the history is fine.
    private static string? CheckHistory(JsonArray contents, int turnStart)
    {
        var step = 0;
        for (var i = turnStart; i < contents.Count; i++)
        {
            var content = contents[i] as JsonObject;
            var calls = Parts(content).Where(p => p["functionCall"] is not null).ToList();
            if (Role(content) != "model" || calls.Count == 0)
            {
                continue;
            }

            var first = calls[0];
            var name = (first["functionCall"]?["name"] as JsonValue)?.GetValue<string>() ?? string.Empty;
            var signature = (first["thoughtSignature"] as JsonValue)?.GetValue<string>();
            if (signature is null)
            {
                return $"Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `{name}` , position {i}.";
            }

            if (signature != GeminiSignature(step, name))
            {
                return $"Corrupted thought signature at contents[{i}].";
            }

            var answers = i + 1 < contents.Count ? Parts(contents[i + 1] as JsonObject).Where(p => p["functionResponse"] is not null).ToList() : [];
            for (var c = 0; c < Math.Min(calls.Count, answers.Count); c++)
            {
                var call = calls[c]["functionCall"]!;
                var answer = answers[c]["functionResponse"]!;
                if ((answer["name"] as JsonValue)?.GetValue<string>() != (call["name"] as JsonValue)?.GetValue<string>()
                    || (call["id"] is JsonValue id && (answer["id"] as JsonValue)?.GetValue<string>() != id.GetValue<string>()))
                {
                    return $"Please ensure that function response turn comes immediately after a function call turn, and that each function response matches its call (contents[{i + 1}].parts[{c}]).";
                }
            }

            step++;
        }

        return null;
    }

    private static string UserText(JsonArray contents)
    {
        var text = new StringBuilder();
        foreach (var content in contents.OfType<JsonObject>().Where(c => Role(c) == "user"))
        {
            foreach (var part in Parts(content))
            {
                if (part["text"] is JsonValue t && t.TryGetValue<string>(out var piece))
                {
                    text.Append(piece).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static string? Role(JsonObject? content) => (content?["role"] as JsonValue)?.GetValue<string>();

    private static IEnumerable<JsonObject> Parts(JsonObject? content) => (content?["parts"] as JsonArray)?.OfType<JsonObject>() ?? [];
}
