using System.Text.Json.Nodes;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// Parses SSE with <c>event:</c> lines (Anthropic Messages), strictly: every frame is a comment or an
/// event whose data is JSON with a <c>type</c> equal to its event name.
/// </summary>
public static class NamedSse
{
    public sealed record Event(string Name, JsonObject Data);

    public static List<Event> Parse(string text)
    {
        var events = new List<Event>();
        foreach (var frame in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            string? data = null;
            foreach (var line in frame.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = data is null ? line[6..] : data + "\n" + line[6..];
                }
                else if (!line.StartsWith(':') && line.Length > 0)
                {
                    throw new FormatException($"unexpected SSE line: '{line}' in frame '{frame}'");
                }
            }

            if (name is null && data is null)
            {
                continue; // a comment
            }

            if (name is null || data is null)
            {
                throw new FormatException($"an event needs both event: and data: lines: '{frame}'");
            }

            var json = JsonNode.Parse(data)!.AsObject();
            if (json["type"]?.GetValue<string>() != name)
            {
                throw new FormatException($"event '{name}' carries type '{json["type"]}'");
            }

            events.Add(new Event(name, json));
        }

        return events;
    }

    /// <summary>Names of the events other than pings.</summary>
    public static List<string> Names(IEnumerable<Event> events) => [.. events.Where(e => e.Name != "ping").Select(e => e.Name)];

    /// <summary>Concatenated text deltas.</summary>
    public static string Text(IEnumerable<Event> events) => string.Concat(events
        .Where(e => e.Name == "content_block_delta" && e.Data["delta"]!["type"]!.GetValue<string>() == "text_delta")
        .Select(e => e.Data["delta"]!["text"]!.GetValue<string>()));

    /// <summary>An Anthropic stream put together as the message it streamed: content blocks (text, thinking, tool_use with its input) and stop_reason.</summary>
    public static JsonObject AssembleAnthropic(string text)
    {
        var blocks = new SortedDictionary<int, JsonObject>();
        var inputs = new Dictionary<int, System.Text.StringBuilder>();
        JsonNode? stop = null;
        foreach (var e in Parse(text))
        {
            switch (e.Name)
            {
                case "content_block_start":
                    blocks[e.Data["index"]!.GetValue<int>()] = e.Data["content_block"]!.DeepClone().AsObject();
                    break;
                case "content_block_delta":
                    var index = e.Data["index"]!.GetValue<int>();
                    var delta = e.Data["delta"]!;
                    switch (delta["type"]!.GetValue<string>())
                    {
                        case "text_delta":
                            blocks[index]["text"] = blocks[index]["text"]!.GetValue<string>() + delta["text"]!.GetValue<string>();
                            break;
                        case "thinking_delta":
                            blocks[index]["thinking"] = blocks[index]["thinking"]!.GetValue<string>() + delta["thinking"]!.GetValue<string>();
                            break;
                        case "input_json_delta":
                            (inputs.TryGetValue(index, out var input) ? input : inputs[index] = new System.Text.StringBuilder()).Append(delta["partial_json"]!.GetValue<string>());
                            break;
                    }

                    break;
                case "message_delta":
                    stop = e.Data["delta"]?["stop_reason"] ?? stop;
                    break;
            }
        }

        foreach (var (index, input) in inputs)
        {
            blocks[index]["input"] = JsonNode.Parse(input.ToString());
        }

        return new JsonObject { ["content"] = new JsonArray([.. blocks.Values]), ["stop_reason"] = stop?.DeepClone() };
    }
}
