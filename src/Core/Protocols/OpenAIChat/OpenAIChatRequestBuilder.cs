using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Json;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// Builds the body sent to an OpenAI-kind upstream. Members the gateway does not own are copied as
/// raw bytes (unknown fields reach the upstream unchanged); only the model, stream flags and the
/// listed transforms touch the body: legacy functions → tools, tool type filtering, and the
/// PromptTags thinking prompt.
/// </summary>
internal static class OpenAIChatRequestBuilder
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JsonObjectRewriter.WriterOptions.Encoder };
    private static readonly byte[] IncludeUsage = """{"include_usage":true}"""u8.ToArray();

    public static ReadOnlyMemory<byte> Build(ChatRequest request, string targetModel, bool sendStreamOptions, bool promptTagsThinking, bool thinkingOff = false)
    {
        var body = request.Body;
        var rewriter = new JsonObjectRewriter(body);
        rewriter.SetString("model", targetModel);

        if (request.Stream)
        {
            if (!body.TryGet("stream", out var stream) || stream.ValueKind != JsonTokenType.True)
            {
                rewriter.SetTrue("stream");
            }

            if (sendStreamOptions)
            {
                // Usage is always requested upstream; the client's own choice only decides where usage goes.
                // Only a client object with other options needs a DOM; the common case is a literal.
                if (body.TryGet("stream_options", out var member) && member.ValueKind == JsonTokenType.StartObject)
                {
                    var options = JsonDom.Parse(body.ValueOf(member))!.AsObject();
                    options["include_usage"] = true;
                    rewriter.Set("stream_options", w => options.WriteTo(w));
                }
                else
                {
                    rewriter.SetRaw("stream_options", IncludeUsage);
                }
            }
            else
            {
                RemoveIfPresent(body, rewriter, "stream_options");
            }
        }
        else
        {
            // OpenAI rejects stream_options on a non-stream request.
            RemoveIfPresent(body, rewriter, "stream_options");
        }

        JsonArray? messages = null;
        JsonArray? tools = null;
        var toolsChanged = false;

        if (request.LegacyFunctions)
        {
            messages = ParseArray(body, "messages");
            tools = ParseArray(body, "tools") ?? [];
            LegacyFunctions.MapRequest(body, messages!, tools, rewriter);
            toolsChanged = true;
        }

        if (ToolFilter.NeedsFiltering(body, tools))
        {
            tools ??= ParseArray(body, "tools");
            ToolFilter.Filter(tools!);
            toolsChanged = true;
        }

        if (toolsChanged)
        {
            if (tools is { Count: > 0 })
            {
                rewriter.Set("tools", w => tools.WriteTo(w));
            }
            else
            {
                // No tool left: tool_choice and parallel_tool_calls would be rejected on their own.
                rewriter.Remove("tools").Remove("tool_choice").Remove("parallel_tool_calls");
            }
        }

        if (promptTagsThinking && request.ThinkingBudget is { } budget)
        {
            messages ??= ParseArray(body, "messages");
            ThinkingPrompt.Inject(messages!, budget);
            RemoveIfPresent(body, rewriter, "thinking");
            RemoveIfPresent(body, rewriter, "think");
        }

        if (thinkingOff)
        {
            // Thinking: Off — a model that cannot think gets none of the fields that ask it to.
            foreach (var name in (ReadOnlySpan<string>)["reasoning_effort", "reasoning", "thinking", "think"])
            {
                RemoveIfPresent(body, rewriter, name);
            }
        }

        if (messages is not null)
        {
            rewriter.Set("messages", w => messages.WriteTo(w, Relaxed));
        }

        return rewriter.ToMemory();
    }

    private static void RemoveIfPresent(JsonObjectIndex body, JsonObjectRewriter rewriter, string name)
    {
        if (body.TryGet(name, out _))
        {
            rewriter.Remove(name);
        }
    }

    internal static JsonArray? ParseArray(JsonObjectIndex body, string name) =>
        body.TryGet(name, out var member) && member.ValueKind == JsonTokenType.StartArray
            ? JsonDom.ParseArray(body.ValueOf(member))
            : null;
}
