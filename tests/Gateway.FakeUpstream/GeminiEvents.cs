using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.FakeUpstream;

/// <summary>
/// Builders for Gemini <c>GenerateContentResponse</c>s (one per <c>alt=sse</c> event, or a whole answer),
/// their parts, and Gemini's error bodies, used in scripts.
/// </summary>
public static class GeminiEvents
{
    public const string ResponseId = "gm-resp-fake01";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A stream event: <c>data: {response}</c>, as Gemini frames <c>alt=sse</c> (no event names, no [DONE]).</summary>
    public static SseStep Event(JsonObject response) => SseStep.Text("data: " + response.ToJsonString(Relaxed) + "\r\n\r\n");

    /// <summary>A response with one candidate holding <paramref name="parts"/>.</summary>
    public static JsonObject Response(JsonArray parts, string? finishReason = null, JsonObject? usage = null, string model = "gemini-fake")
    {
        var candidate = new JsonObject { ["content"] = new JsonObject { ["role"] = "model", ["parts"] = parts }, ["index"] = 0 };
        if (finishReason is not null)
        {
            candidate["finishReason"] = finishReason;
        }

        var response = new JsonObject { ["candidates"] = new JsonArray(candidate) };
        if (usage is not null)
        {
            response["usageMetadata"] = usage;
        }

        response["modelVersion"] = model;
        response["responseId"] = ResponseId;
        return response;
    }

    public static JsonObject Usage(int prompt, int candidates, int thoughts = 0, int cached = 0)
    {
        var usage = new JsonObject { ["promptTokenCount"] = prompt, ["candidatesTokenCount"] = candidates, ["totalTokenCount"] = prompt + candidates + thoughts };
        if (thoughts > 0)
        {
            usage["thoughtsTokenCount"] = thoughts;
        }

        if (cached > 0)
        {
            usage["cachedContentTokenCount"] = cached;
        }

        return usage;
    }

    public static JsonObject Text(string text, string? signature = null) => Signed(new JsonObject { ["text"] = text }, signature);

    public static JsonObject Thought(string text, string? signature = null) => Signed(new JsonObject { ["text"] = text, ["thought"] = true }, signature);

    public static JsonObject Call(string name, JsonObject args, string? id = null, string? signature = null)
    {
        var call = new JsonObject();
        if (id is not null)
        {
            call["id"] = id;
        }

        call["name"] = name;
        call["args"] = args;
        return Signed(new JsonObject { ["functionCall"] = call }, signature);
    }

    /// <summary>Gemini's error body: <c>{"error":{"code","message","status"}}</c>, with an ErrorInfo reason when given.</summary>
    public static string ErrorBody(int code, string status, string message, string? reason = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status };
        if (reason is not null)
        {
            error["details"] = new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = reason, ["domain"] = "googleapis.com" });
        }

        return new JsonObject { ["error"] = error }.ToJsonString(Relaxed);
    }

    /// <summary>An error answer with its HTTP status.</summary>
    public static Script Error(int code, string status, string message, string? reason = null) => Scripts.Json(ErrorBody(code, status, message, reason), code);

    /// <summary>True when the request went to <c>:streamGenerateContent</c>.</summary>
    public static bool Streams(RecordedRequest request) => request.Path.Contains(":streamGenerateContent", StringComparison.Ordinal);

    /// <summary>
    /// The echo model in Gemini's form: the last user text ("echo: …") as one response, or streamed one word per
    /// event with the finish reason and usage on the last. 5 prompt tokens, one candidate token per word.
    /// </summary>
    public static Script Echo() => async (context, request) =>
    {
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            await Error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")(context, request);
            return;
        }

        var text = "echo: " + LastUserText(body);
        var words = text.Split(' ').Select((w, i) => i == 0 ? w : " " + w).ToArray();
        if (!Streams(request))
        {
            await Scripts.Json(Response(new JsonArray(Text(text)), "STOP", Usage(5, words.Length)).ToJsonString(Relaxed))(context, request);
            return;
        }

        var steps = new List<SseStep>();
        for (var i = 0; i < words.Length; i++)
        {
            var last = i == words.Length - 1;
            steps.Add(Event(Response(new JsonArray(Text(words[i])), last ? "STOP" : null, last ? Usage(5, words.Length) : null)));
        }

        await Scripts.Sse([.. steps])(context, request);
    };

    /// <summary>The text of the last user content that has text (function responses skipped).</summary>
    public static string LastUserText(JsonObject? body)
    {
        if (body?["contents"] is not JsonArray contents)
        {
            return string.Empty;
        }

        for (var i = contents.Count - 1; i >= 0; i--)
        {
            if (contents[i] is JsonObject content && (content["role"] as JsonValue)?.GetValue<string>() == "user" && content["parts"] is JsonArray parts)
            {
                var texts = parts.OfType<JsonObject>().Select(p => (p["text"] as JsonValue)?.GetValue<string>()).Where(t => t is not null).ToList();
                if (texts.Count > 0)
                {
                    return string.Join(" ", texts);
                }
            }
        }

        return string.Empty;
    }

    private static JsonObject Signed(JsonObject part, string? signature)
    {
        if (signature is not null)
        {
            part["thoughtSignature"] = signature;
        }

        return part;
    }
}
