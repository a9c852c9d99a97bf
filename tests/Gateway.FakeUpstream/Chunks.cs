using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.FakeUpstream;

/// <summary>Builders for OpenAI chat JSON (chunks and completions) used in scripts.</summary>
public static class Chunks
{
    public const string Id = "chatcmpl-fake";
    public const long Created = 1_700_000_000;

    public static string Role(int index = 0, string model = "fake-model") =>
        Chunk(model, Choice(index, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));

    public static string Content(string text, int index = 0, string model = "fake-model") =>
        Chunk(model, Choice(index, new JsonObject { ["content"] = text }, null));

    public static string Reasoning(string text, int index = 0) =>
        Chunk("fake-model", Choice(index, new JsonObject { ["reasoning_content"] = text }, null));

    public static string Finish(string reason = "stop", int index = 0) =>
        Chunk("fake-model", Choice(index, new JsonObject(), reason));

    public static string ToolCall(int? index, string? id, string? name, string? arguments, int choice = 0)
    {
        var call = new JsonObject();
        if (index is not null)
        {
            call["index"] = index;
        }

        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
        }

        var function = new JsonObject();
        if (name is not null)
        {
            function["name"] = name;
        }

        if (arguments is not null)
        {
            function["arguments"] = arguments;
        }

        call["function"] = function;
        return Chunk("fake-model", Choice(choice, new JsonObject { ["tool_calls"] = new JsonArray(call) }, null));
    }

    public static string Usage(int prompt, int completion) => new JsonObject
    {
        ["id"] = Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = "fake-model",
        ["choices"] = new JsonArray(),
        ["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion },
    }.ToJsonString();

    public static string Completion(string content, string finish = "stop", int prompt = 5, int completion = 7, bool includeUsage = true, string model = "fake-model")
    {
        var root = new JsonObject
        {
            ["id"] = Id,
            ["object"] = "chat.completion",
            ["created"] = Created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = finish,
            }),
        };
        if (includeUsage)
        {
            root["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
        }

        return root.ToJsonString();
    }

    public static string ToolCompletion(string name, string arguments, string id = "call_fake1", string finish = "tool_calls")
    {
        return new JsonObject
        {
            ["id"] = Id,
            ["object"] = "chat.completion",
            ["created"] = Created,
            ["model"] = "fake-model",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
                    }),
                },
                ["finish_reason"] = finish,
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 20, ["completion_tokens"] = 10, ["total_tokens"] = 30 },
        }.ToJsonString();
    }

    private static JsonObject Choice(int index, JsonObject delta, string? finish) => new()
    {
        ["index"] = index,
        ["delta"] = delta,
        ["logprobs"] = null,
        ["finish_reason"] = finish,
    };

    private static string Chunk(string model, JsonObject choice) => new JsonObject
    {
        ["id"] = Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = model,
        ["choices"] = new JsonArray(choice),
    }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
