using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.FakeUpstream;

/// <summary>Builders for Anthropic Messages events (<c>event:</c> + <c>data:</c>) and messages used in scripts.</summary>
public static class AnthropicEvents
{
    public const string Id = "msg_fake01";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static SseStep Event(string name, JsonObject data) => SseStep.Text($"event: {name}\ndata: {data.ToJsonString(Relaxed)}\n\n");

    public static SseStep MessageStart(int inputTokens = 10, int cacheRead = 0, int cacheWrite = 0, string model = "claude-fake") => Event("message_start", new JsonObject
    {
        ["type"] = "message_start",
        ["message"] = new JsonObject
        {
            ["id"] = Id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = new JsonArray(),
            ["stop_reason"] = null,
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = inputTokens,
                ["cache_creation_input_tokens"] = cacheWrite,
                ["cache_read_input_tokens"] = cacheRead,
                ["output_tokens"] = 1,
            },
        },
    });

    public static SseStep Ping() => Event("ping", new JsonObject { ["type"] = "ping" });

    public static SseStep TextStart(int index) => BlockStart(index, new JsonObject { ["type"] = "text", ["text"] = "" });

    public static SseStep ThinkingStart(int index) => BlockStart(index, new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" });

    public static SseStep RedactedThinking(int index, string data) => BlockStart(index, new JsonObject { ["type"] = "redacted_thinking", ["data"] = data });

    public static SseStep ToolUseStart(int index, string id, string name) =>
        BlockStart(index, new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = name, ["input"] = new JsonObject() });

    public static SseStep TextDelta(int index, string text) => Delta(index, new JsonObject { ["type"] = "text_delta", ["text"] = text });

    public static SseStep ThinkingDelta(int index, string thinking) => Delta(index, new JsonObject { ["type"] = "thinking_delta", ["thinking"] = thinking });

    public static SseStep SignatureDelta(int index, string signature) => Delta(index, new JsonObject { ["type"] = "signature_delta", ["signature"] = signature });

    public static SseStep InputJsonDelta(int index, string partialJson) => Delta(index, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = partialJson });

    public static SseStep BlockStop(int index) => Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index });

    public static SseStep MessageDelta(string stopReason = "end_turn", int outputTokens = 5) => Event("message_delta", new JsonObject
    {
        ["type"] = "message_delta",
        ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
        ["usage"] = new JsonObject { ["output_tokens"] = outputTokens },
    });

    public static SseStep MessageStop() => Event("message_stop", new JsonObject { ["type"] = "message_stop" });

    public static SseStep Error(string type = "overloaded_error", string message = "Overloaded") =>
        Event("error", new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } });

    /// <summary>The error body Anthropic answers with on a non-2xx status.</summary>
    public static string ErrorBody(string type, string message) =>
        new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } }.ToJsonString(Relaxed);

    /// <summary>A whole <c>message</c> with the given content blocks.</summary>
    public static string Message(JsonArray content, string stopReason = "end_turn", int inputTokens = 10, int outputTokens = 5, int cacheRead = 0) => new JsonObject
    {
        ["id"] = Id,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = "claude-fake",
        ["content"] = content,
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = inputTokens,
            ["cache_creation_input_tokens"] = 0,
            ["cache_read_input_tokens"] = cacheRead,
            ["output_tokens"] = outputTokens,
        },
    }.ToJsonString(Relaxed);

    public static JsonObject TextBlock(string text) => new() { ["type"] = "text", ["text"] = text };

    /// <summary>A whole text answer as the events Anthropic streams: start, one text block, delta, stop.</summary>
    public static SseStep[] TextStream(string text, int inputTokens = 10, int outputTokens = 5, string stopReason = "end_turn") =>
    [
        MessageStart(inputTokens), TextStart(0), TextDelta(0, text), BlockStop(0), MessageDelta(stopReason, outputTokens), MessageStop(),
    ];

    private static SseStep BlockStart(int index, JsonObject block) =>
        Event("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = block });

    private static SseStep Delta(int index, JsonObject delta) =>
        Event("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta });
}
