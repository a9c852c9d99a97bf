using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Json;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// An upstream that answers a stream request with a plain JSON completion still gets a stream to the
/// client: each choice becomes a delta chunk and a finish chunk, then a usage chunk.
/// </summary>
internal static class CompletionToChunks
{
    public static List<ReadOnlyMemory<byte>>? TryConvert(ReadOnlySpan<byte> completion)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(completion) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (root?["choices"] is not JsonArray choices || root.ContainsKey("error"))
        {
            return null;
        }

        var chunks = new List<ReadOnlyMemory<byte>>();
        for (var position = 0; position < choices.Count; position++)
        {
            if (choices[position] is not JsonObject choice)
            {
                continue;
            }

            var index = choice["index"]?.DeepClone() ?? position;
            var delta = (choice["message"] as JsonObject)?.DeepClone() as JsonObject ?? [];
            if (delta["tool_calls"] is JsonArray calls)
            {
                for (var i = 0; i < calls.Count; i++)
                {
                    if (calls[i] is JsonObject call)
                    {
                        call["index"] = i;
                    }
                }
            }

            chunks.Add(Chunk(root, new JsonArray(new JsonObject { ["index"] = index.DeepClone(), ["delta"] = delta, ["finish_reason"] = null }), null));
            chunks.Add(Chunk(root, new JsonArray(new JsonObject
            {
                ["index"] = index.DeepClone(),
                ["delta"] = new JsonObject(),
                ["finish_reason"] = choice["finish_reason"]?.DeepClone() ?? "stop",
            }), null));
        }

        if (root["usage"] is JsonObject usage)
        {
            chunks.Add(Chunk(root, [], usage.DeepClone()));
        }

        return chunks;
    }

    private static ReadOnlyMemory<byte> Chunk(JsonObject completion, JsonArray choices, JsonNode? usage)
    {
        var chunk = new JsonObject
        {
            ["id"] = completion["id"]?.DeepClone(),
            ["object"] = "chat.completion.chunk",
            ["created"] = completion["created"]?.DeepClone(),
            ["model"] = completion["model"]?.DeepClone(),
            ["choices"] = choices,
        };
        if (usage is not null)
        {
            chunk["usage"] = usage;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions);
        chunk.WriteTo(writer);
        writer.Flush();
        return buffer.WrittenMemory;
    }
}
