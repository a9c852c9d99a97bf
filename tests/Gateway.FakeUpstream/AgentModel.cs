using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.FakeUpstream;

/// <summary>
/// A scripted "model" that drives one tool turn of a real coding agent (Claude Code, OpenCode), in both
/// upstream formats. When the conversation asks to <c>create the file PATH containing exactly: TEXT</c>
/// and the client declared a write tool, the model calls that tool with PATH and TEXT, using the
/// argument names of the tool's own schema; once a tool result came back it answers with a short final
/// text. Anything else is echoed, so an agent's side requests (titles, summaries) get an answer.
/// When the request asks for reasoning, the tool call comes after a thought — in Anthropic's form a
/// thinking block with a signature, which the next turn must carry back exactly as issued (otherwise the
/// answer is Anthropic's 400 for an invalid signature), so a gateway that loses or mangles it fails here.
/// </summary>
public static partial class AgentModel
{
    /// <summary>The model's final words after the tool ran.</summary>
    public const string FinalText = "The file is written.";

    /// <summary>The OpenAI Chat Completions form (stream and non-stream).</summary>
    /// <param name="log">Gets one line per request saying what the model answered (for the agent scripts' record).</param>
    public static Script OpenAI(TextWriter? log = null) => async (context, request) =>
    {
        var body = Parse(request.Body);
        var plan = Plan.From(body, anthropic: false);
        var reasons = body?["reasoning_effort"] is not null;
        log?.WriteLine($"agent model, OpenAI format: {Describe(plan, body, reasons)}");
        if (plan is null)
        {
            await Scripts.Echo()(context, request);
            return;
        }

        var stream = body?["stream"]?.GetValue<bool>() == true;
        if (plan.Call is not { } call)
        {
            await (stream
                ? Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Data(Chunks.Content(FinalText)), SseStep.Data(Chunks.Finish()), SseStep.Data(Chunks.Usage(40, 6)), SseStep.Done())
                : Scripts.Json(Chunks.Completion(FinalText, prompt: 40, completion: 6)))(context, request);
            return;
        }

        // Arguments split in two deltas, as real models stream them.
        var half = call.Arguments.Length / 2;
        var thought = reasons ? SseStep.Data(Chunks.Reasoning(Thought)) : SseStep.Text(string.Empty);
        await (stream
            ? Scripts.Sse(
                SseStep.Data(Chunks.Role()),
                thought,
                SseStep.Data(Chunks.ToolCall(0, call.Id, call.Tool, call.Arguments[..half])),
                SseStep.Data(Chunks.ToolCall(0, null, null, call.Arguments[half..])),
                SseStep.Data(Chunks.Finish("tool_calls")),
                SseStep.Data(Chunks.Usage(30, 12)),
                SseStep.Done())
            : Scripts.Json(Chunks.ToolCompletion(call.Tool, call.Arguments, call.Id)))(context, request);
    };

    /// <summary>The Anthropic Messages form (stream and non-stream).</summary>
    /// <param name="log">Gets one line per request saying what the model answered (for the agent scripts' record).</param>
    public static Script Anthropic(TextWriter? log = null) => async (context, request) =>
    {
        var body = Parse(request.Body);
        var plan = Plan.From(body, anthropic: true);
        var thinks = (body?["thinking"]?["type"] as JsonValue)?.GetValue<string>() is "enabled" or "adaptive";
        var bad = body is null ? null : ForeignSignature(body);
        log?.WriteLine($"agent model, Anthropic format: {(bad is null ? Describe(plan, body, thinks) : "400, a thinking block came back with a signature it did not issue at " + bad)}");
        if (plan is null)
        {
            await Scripts.AnthropicEcho()(context, request);
            return;
        }

        if (bad is not null)
        {
            await Scripts.Json(AnthropicEvents.ErrorBody("invalid_request_error", $"{bad}: Invalid `signature` in `thinking` block"), 400)(context, request);
            return;
        }

        var stream = body?["stream"]?.GetValue<bool>() == true;
        if (plan.Call is not { } call)
        {
            await (stream
                ? Scripts.Sse(AnthropicEvents.TextStream(FinalText, inputTokens: 40, outputTokens: 6))
                : Scripts.Json(AnthropicEvents.Message(new JsonArray(AnthropicEvents.TextBlock(FinalText)), inputTokens: 40, outputTokens: 6)))(context, request);
            return;
        }

        var half = call.Arguments.Length / 2;
        var id = "toolu_" + call.Id["call_".Length..];
        var signature = Signature + call.Id;
        var first = thinks ? 1 : 0;
        List<SseStep> events = [AnthropicEvents.MessageStart(30)];
        if (thinks)
        {
            events.AddRange([AnthropicEvents.ThinkingStart(0), AnthropicEvents.ThinkingDelta(0, Thought), AnthropicEvents.SignatureDelta(0, signature), AnthropicEvents.BlockStop(0)]);
        }

        events.AddRange([
            AnthropicEvents.ToolUseStart(first, id, call.Tool),
            AnthropicEvents.InputJsonDelta(first, call.Arguments[..half]),
            AnthropicEvents.InputJsonDelta(first, call.Arguments[half..]),
            AnthropicEvents.BlockStop(first),
            AnthropicEvents.MessageDelta("tool_use", 12),
            AnthropicEvents.MessageStop()]);
        var blocks = new JsonArray();
        if (thinks)
        {
            blocks.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = Thought, ["signature"] = signature });
        }

        blocks.Add(new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = call.Tool, ["input"] = JsonNode.Parse(call.Arguments) });
        await (stream
            ? Scripts.Sse([.. events])
            : Scripts.Json(AnthropicEvents.Message(blocks, stopReason: "tool_use", inputTokens: 30, outputTokens: 12)))(context, request);
    };

    private static string Describe(Plan? plan, JsonObject? body, bool reasons)
    {
        var returned = body?["messages"] is JsonArray messages
            ? messages.OfType<JsonObject>().SelectMany(m => m["content"] as JsonArray ?? []).Count(b => (b?["type"] as JsonValue)?.GetValue<string>() == "thinking")
            : 0;
        var what = plan switch
        {
            null => "not an agent turn, echoed",
            { Call: null } => "a tool result came back, final answer",
            { Call: { } call } => $"tool call {call.Tool}{(reasons ? " after a thought" : string.Empty)}",
        };
        return $"{what}; stream={body?["stream"]}, tools={(body?["tools"] as JsonArray)?.Count ?? 0}, thinking blocks in history={returned}";
    }

    private const string Thought = "The user wants a file; the write tool does that.";

    private const string Signature = "sig-agent-";

    // Where the history carries a thinking block whose signature this model did not issue ("messages.1.content.0").
    private static string? ForeignSignature(JsonObject body)
    {
        if (body["messages"] is not JsonArray messages)
        {
            return null;
        }

        for (var m = 0; m < messages.Count; m++)
        {
            if (messages[m]?["content"] is not JsonArray blocks)
            {
                continue;
            }

            for (var b = 0; b < blocks.Count; b++)
            {
                if ((blocks[b]?["type"] as JsonValue)?.GetValue<string>() != "thinking")
                {
                    continue;
                }

                var value = (blocks[b]?["signature"] as JsonValue)?.GetValue<string>();
                if (value is null || !value.StartsWith(Signature, StringComparison.Ordinal))
                {
                    return $"messages.{m}.content.{b}";
                }
            }
        }

        return null;
    }

    private static JsonObject? Parse(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"create the file (\S+) containing exactly: ([^\n""\\]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Instruction();

    private sealed record ToolCall(string Id, string Tool, string Arguments);

    /// <summary>A tool the client declared: its name and its input JSON Schema.</summary>
    private sealed record Tool(string? Name, JsonNode? Schema);

    /// <summary>What the model does with a request: call the write tool, or answer after its result. Null: not an agent turn.</summary>
    private sealed record Plan(ToolCall? Call)
    {
        public static Plan? From(JsonObject? body, bool anthropic)
        {
            if (body?["messages"] is not JsonArray messages || messages.Count == 0)
            {
                return null;
            }

            var tools = (body["tools"] as JsonArray)?.OfType<JsonObject>()
                .Select(t => new Tool(
                    (anthropic ? t["name"] : t["function"]?["name"]) is JsonValue n ? n.GetValue<string>() : null,
                    anthropic ? t["input_schema"] : t["function"]?["parameters"]))
                .ToList() ?? [];
            return From(AllUserText(messages), messages.Count, LastIsToolResult(messages) ? 1 : 0, tools, steps: 1);
        }

        /// <summary>
        /// The plan from what any format says: the user's text, the turn count (for ids), how many tool results
        /// came back since the instruction (0 when the last message is not a tool result), the declared tools,
        /// and how many tool calls the model makes before its final answer (a write, then a read of the file).
        /// </summary>
        public static Plan? From(string userText, int turns, int results, IReadOnlyList<Tool> tools, int steps)
        {
            if (Instruction().Match(userText) is not { Success: true } match)
            {
                return null;
            }

            if (results >= steps)
            {
                return new Plan(Call: null);
            }

            var path = match.Groups[1].Value;
            var text = match.Groups[2].Value.TrimEnd();
            if (results == 1)
            {
                if (ReadTool(tools) is { } read)
                {
                    return new Plan(new ToolCall("call_agent" + turns, read.Name, new JsonObject { [read.PathArgument] = path }.ToJsonString()));
                }

                if (ShellTool(tools) is { } reader)
                {
                    var cat = $"cat {Quote(path)}";
                    var catArguments = reader.ArrayArgument
                        ? new JsonObject { [reader.CommandArgument] = new JsonArray("bash", "-lc", cat) }
                        : new JsonObject { [reader.CommandArgument] = cat };
                    return new Plan(new ToolCall("call_agent" + turns, reader.Name, catArguments.ToJsonString()));
                }

                return new Plan(Call: null);
            }

            if (WriteTool(tools) is { } tool)
            {
                var arguments = new JsonObject { [tool.PathArgument] = path, [tool.ContentArgument] = text + "\n" };
                return new Plan(new ToolCall("call_agent" + turns, tool.Name, arguments.ToJsonString()));
            }

            // An agent without a write tool (Codex) writes files through its shell tool.
            if (ShellTool(tools) is { } shell)
            {
                var command = $"printf '%s\\n' {Quote(text)} > {Quote(path)}";
                var arguments = shell.ArrayArgument
                    ? new JsonObject { [shell.CommandArgument] = new JsonArray("bash", "-lc", command) }
                    : new JsonObject { [shell.CommandArgument] = command };
                return new Plan(new ToolCall("call_agent" + turns, shell.Name, arguments.ToJsonString()));
            }

            return null;
        }

        // The client's own read tool: named read (Read, read, read_file, …) with a path-like argument.
        private static (string Name, string PathArgument)? ReadTool(IReadOnlyList<Tool> tools)
        {
            foreach (var tool in tools.OrderBy(t => string.Equals(t.Name, "read", StringComparison.OrdinalIgnoreCase) ? 0 : 1))
            {
                if (tool.Name is null || !tool.Name.Contains("read", StringComparison.OrdinalIgnoreCase) || tool.Schema?["properties"] is not JsonObject properties)
                {
                    continue;
                }

                if (properties.Select(p => p.Key).FirstOrDefault(k => k.Contains("path", StringComparison.OrdinalIgnoreCase)) is { } path)
                {
                    return (tool.Name, path);
                }
            }

            return null;
        }

        private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        // A shell tool (exec_command, shell, bash, …) with a command argument: a string, or an argv array.
        private static (string Name, string CommandArgument, bool ArrayArgument)? ShellTool(IReadOnlyList<Tool> tools)
        {
            foreach (var (name, schema) in tools)
            {
                if (name is not ("exec_command" or "shell" or "shell_command" or "bash" or "run_command") || schema?["properties"] is not JsonObject properties)
                {
                    continue;
                }

                foreach (var argument in (ReadOnlySpan<string>)["cmd", "command"])
                {
                    if (properties[argument] is JsonObject property)
                    {
                        return (name, argument, (property["type"] as JsonValue)?.GetValue<string>() == "array");
                    }
                }
            }

            return null;
        }

        private static bool LastIsToolResult(JsonArray messages)
        {
            var last = messages[^1] as JsonObject;
            return (last?["role"] as JsonValue)?.GetValue<string>() == "tool"
                || (last?["content"] is JsonArray blocks && blocks.OfType<JsonObject>().Any(b => (b["type"] as JsonValue)?.GetValue<string>() == "tool_result"));
        }

        private static string AllUserText(JsonArray messages)
        {
            var text = new System.Text.StringBuilder();
            foreach (var message in messages.OfType<JsonObject>().Where(m => (m["role"] as JsonValue)?.GetValue<string>() == "user"))
            {
                switch (message["content"])
                {
                    case JsonValue value when value.TryGetValue<string>(out var s):
                        text.Append(s).Append('\n');
                        break;
                    case JsonArray parts:
                        foreach (var part in parts.OfType<JsonObject>())
                        {
                            if (part["text"] is JsonValue t && t.TryGetValue<string>(out var piece))
                            {
                                text.Append(piece).Append('\n');
                            }
                        }

                        break;
                }
            }

            return text.ToString();
        }

        // The client's own write tool: named write (Write, write_file, …), with a path-like and a content-like argument.
        private static (string Name, string PathArgument, string ContentArgument)? WriteTool(IReadOnlyList<Tool> tools)
        {
            foreach (var (name, schema) in tools)
            {
                if (name is null || !name.Contains("write", StringComparison.OrdinalIgnoreCase) || schema?["properties"] is not JsonObject properties)
                {
                    continue;
                }

                var path = properties.Select(p => p.Key).FirstOrDefault(k => k.Contains("path", StringComparison.OrdinalIgnoreCase));
                var content = properties.Select(p => p.Key).FirstOrDefault(k => k.Contains("content", StringComparison.OrdinalIgnoreCase));
                if (path is not null && content is not null)
                {
                    return (name, path, content);
                }
            }

            return null;
        }
    }
}
