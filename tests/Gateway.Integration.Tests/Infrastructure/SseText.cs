using System.Text.Json.Nodes;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>Parses the SSE text a client received into events, strictly (LF framing as the gateway writes it).</summary>
public static class SseText
{
    public sealed record Event(string? Data, string? Comment)
    {
        public bool IsDone => Data == "[DONE]";

        public JsonObject Json => JsonNode.Parse(Data!)!.AsObject();
    }

    public static List<Event> Parse(string text)
    {
        var events = new List<Event>();
        foreach (var frame in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var data = new List<string>();
            string? comment = null;
            foreach (var line in frame.Split('\n'))
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line[6..]);
                }
                else if (line.StartsWith(':'))
                {
                    comment = line[1..].Trim();
                }
                else if (line.Length > 0)
                {
                    throw new FormatException($"unexpected SSE line: '{line}' in frame '{frame}'");
                }
            }

            events.Add(new Event(data.Count > 0 ? string.Join("\n", data) : null, comment));
        }

        return events;
    }

    /// <summary>Data events other than [DONE], as JSON.</summary>
    public static List<JsonObject> Chunks(IEnumerable<Event> events) =>
        [.. events.Where(e => e.Data is not null && !e.IsDone).Select(e => e.Json)];

    /// <summary>Concatenated delta.content of choice <paramref name="choice"/>.</summary>
    public static string Content(IEnumerable<Event> events, int choice = 0) =>
        string.Concat(Chunks(events)
            .SelectMany(c => c["choices"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(c => (c["index"]?.GetValue<int>() ?? 0) == choice)
            .Select(c => c["delta"]?["content"]?.GetValue<string>()));

    /// <summary>Choice 0 of an OpenAI stream put together: {content, tool_calls (id, function name and arguments, by index), finish_reason}.</summary>
    public static JsonObject Assemble(string text)
    {
        var content = new System.Text.StringBuilder();
        var calls = new SortedDictionary<int, JsonObject>();
        JsonNode? finish = null;
        foreach (var choice in Chunks(Parse(text)).SelectMany(c => c["choices"] as JsonArray ?? []).OfType<JsonObject>().Where(c => (c["index"]?.GetValue<int>() ?? 0) == 0))
        {
            content.Append(choice["delta"]?["content"]?.GetValue<string>());
            foreach (var call in choice["delta"]?["tool_calls"] as JsonArray ?? [])
            {
                var index = call!["index"]!.GetValue<int>();
                if (!calls.TryGetValue(index, out var known))
                {
                    calls[index] = known = new JsonObject { ["id"] = call["id"]?.DeepClone(), ["type"] = "function", ["function"] = new JsonObject { ["name"] = call["function"]?["name"]?.DeepClone(), ["arguments"] = "" } };
                }

                var arguments = known["function"]!["arguments"]!.GetValue<string>() + call["function"]?["arguments"]?.GetValue<string>();
                known["function"]!["arguments"] = arguments;
            }

            finish = choice["finish_reason"] ?? finish;
        }

        return new JsonObject
        {
            ["content"] = content.ToString(),
            ["tool_calls"] = calls.Count == 0 ? null : new JsonArray([.. calls.Values]),
            ["finish_reason"] = finish?.DeepClone(),
        };
    }
}
