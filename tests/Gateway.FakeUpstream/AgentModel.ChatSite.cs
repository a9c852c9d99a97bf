using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.FakeUpstream;

/// <summary>The agent model behind a chat site: it reads the gateway's tool instructions from the query and answers in text.</summary>
public static partial class AgentModel
{
    /// <summary>
    /// The chat-site form: the tools come from the query's tool list, the call is written as the marked
    /// block the instructions describe (in small pieces, as a model streams it), and once the session was
    /// sent a tool result the model answers with <see cref="FinalText"/>. The file request may have come in
    /// an earlier turn of the site session: the model remembers what the session was told.
    /// </summary>
    public static Script ChatSite(ChatSite site, TextWriter? log = null) => site.Answer((query, said) =>
    {
        var nonce = FakeUpstream.ChatSite.Nonce(said);
        var current = query.Contains("# Current message", StringComparison.Ordinal) ? query[query.LastIndexOf("# Current message", StringComparison.Ordinal)..] : query;
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = said });
        if (current.Contains("[tool_result", StringComparison.Ordinal))
        {
            messages.Add(new JsonObject { ["role"] = "tool", ["content"] = "done" });
        }

        var plan = Plan.From(new JsonObject { ["messages"] = messages, ["tools"] = ToolsOf(said) }, anthropic: false);
        var answer = plan switch
        {
            null => "echo: " + query.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(),
            { Call: null } => FinalText,
            { Call: { } call } when nonce is not null => $"I will write it.\n<tool_call id=\"{nonce}\">{{\"name\": \"{call.Tool}\", \"arguments\": {call.Arguments}}}</tool_call>",
            _ => "No tool instructions reached me.",
        };
        log?.WriteLine($"agent model, chat site: {(plan is null ? "echo" : plan.Call is null ? "a tool result came back, final answer" : "tool call " + plan.Call.Tool)}; query {query.Length} chars, tool instructions {(query.Contains("# Tools", StringComparison.Ordinal) ? "present" : "absent")}");
        return answer;
    });

    // The tool list of the gateway's instructions, in OpenAI's shape: "- name" then "  Parameters (JSON Schema): {…}".
    private static JsonArray ToolsOf(string text)
    {
        var tools = new JsonArray();
        foreach (Match match in ToolLine().Matches(text))
        {
            var name = match.Groups[1].Value;
            if (tools.Any(t => t!["function"]!["name"]!.GetValue<string>() == name))
            {
                continue;
            }

            JsonNode? parameters = null;
            try
            {
                parameters = JsonNode.Parse(match.Groups[2].Value);
            }
            catch (System.Text.Json.JsonException)
            {
            }

            tools.Add(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["parameters"] = parameters } });
        }

        // The compact list (many tools): "- name(arg: type, other?: type): summary".
        foreach (Match match in CompactToolLine().Matches(text))
        {
            var name = match.Groups[1].Value;
            if (tools.Any(t => t!["function"]!["name"]!.GetValue<string>() == name))
            {
                continue;
            }

            var properties = new JsonObject();
            foreach (var argument in match.Groups[2].Value.Split(", ", StringSplitOptions.RemoveEmptyEntries))
            {
                var colon = argument.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    properties[argument[..colon].TrimEnd('?')] = new JsonObject { ["type"] = argument[(colon + 1)..].Trim() };
                }
            }

            tools.Add(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = properties } } });
        }

        return tools;
    }

    [GeneratedRegex(@"^- ([A-Za-z0-9_.\-]+)\(([^)\n]*)\)", RegexOptions.Multiline)]
    private static partial Regex CompactToolLine();

    [GeneratedRegex(@"^- ([A-Za-z0-9_.\-]+)\n  Parameters \(JSON Schema\): ([^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex ToolLine();
}
