using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Chat;

namespace Gateway.Tools;

/// <summary>A tool call read from a model's text: the declared tool's name and its arguments (a JSON object, or free text for a custom tool).</summary>
internal sealed record ParsedCall(string Name, string Arguments, bool Custom);

/// <summary>What a reply turned out to be: text to show, and the calls it makes (none for a plain answer).</summary>
internal sealed record ParsedReply(string Text, IReadOnlyList<ParsedCall> Calls, IReadOnlyList<string> Rejected);

/// <summary>
/// Reads a whole reply under <see cref="ToolProtocol"/>. Blocks marked with the request's nonce are calls
/// (the text before them is kept; a block that names an undeclared tool or lacks a required argument is
/// dropped). Without marked blocks the reply is a call only when all of it — fences and whitespace aside —
/// is call JSON naming declared tools with their required arguments: plain or fenced JSON, a list of
/// calls, <c>tool_call</c>/<c>tool_calls</c> wrappers, unmarked <c>&lt;tool_call&gt;</c> blocks, loose
/// syntax (<see cref="LooseJson"/>). Anything else is text, shown as the model wrote it.
/// </summary>
internal static partial class ToolReplyParser
{
    public static ParsedReply Parse(string reply, ToolProtocol protocol)
    {
        var marked = MarkedBlocks(reply, protocol.Nonce);
        if (marked.Count > 0)
        {
            var calls = new List<ParsedCall>();
            var rejected = new List<string>();
            foreach (var block in marked)
            {
                foreach (var candidate in Candidates(block))
                {
                    if (Validate(candidate, protocol, out var reason) is { } call)
                    {
                        calls.Add(call);
                    }
                    else
                    {
                        rejected.Add(reason);
                    }
                }
            }

            var before = reply[..MarkStart(reply, protocol.Nonce)].TrimEnd();
            var text = calls.Count > 0 || before.Length > 0 ? before : Fallback(rejected);
            return new ParsedReply(text, calls, rejected);
        }

        if (protocol.Offered && WholeReplyCalls(reply, protocol) is { Count: > 0 } whole)
        {
            return new ParsedReply(string.Empty, whole, []);
        }

        return new ParsedReply(reply, [], []);
    }

    /// <summary>The index where the first marked block opens, or -1.</summary>
    public static int MarkStart(string text, string nonce)
    {
        // Plain text (the common case, checked on every streamed piece) never builds the pattern.
        if (!text.Contains("<tool_call", StringComparison.Ordinal))
        {
            return -1;
        }

        var match = OpenTag(nonce).Match(text);
        return match.Success ? match.Index : -1;
    }

    /// <summary>The opening tag of a block marked with <paramref name="nonce"/>, quotes and spacing as models vary them.</summary>
    public static Regex OpenTag(string nonce) =>
        new($@"<tool_call\s+id\s*=\s*[""']?{Regex.Escape(nonce)}[""']?\s*>", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // The model gave only blocks the gateway could not use: say so instead of showing protocol text.
    private static string Fallback(List<string> rejected) =>
        "(The model tried to call a tool, but the call could not be used: " + string.Join("; ", rejected.Distinct()) + ".)";

    private static List<string> MarkedBlocks(string reply, string nonce)
    {
        var blocks = new List<string>();
        var open = OpenTag(nonce);
        var match = open.Match(reply);
        while (match.Success)
        {
            var start = match.Index + match.Length;
            var close = reply.IndexOf(ToolProtocol.CloseTag, start, StringComparison.Ordinal);
            var next = match.NextMatch();
            var end = close >= 0 && (!next.Success || close < next.Index) ? close : next.Success ? next.Index : reply.Length;
            blocks.Add(reply[start..end]);
            match = next;
        }

        return blocks;
    }

    // All of the reply is calls (and each one is valid), or null.
    private static List<ParsedCall>? WholeReplyCalls(string reply, ToolProtocol protocol)
    {
        var text = StripFence(reply.Trim());
        List<JsonNode?> candidates;
        if (text.StartsWith("<tool_call", StringComparison.Ordinal))
        {
            candidates = [];
            foreach (Match block in UnmarkedBlock().Matches(text))
            {
                candidates.AddRange(Candidates(block.Groups[1].Value));
            }

            if (UnmarkedBlock().Replace(text, string.Empty).Trim().Length > 0)
            {
                return null;
            }
        }
        else if (text.StartsWith('{') || text.StartsWith('['))
        {
            candidates = Candidates(text);
        }
        else
        {
            return null;
        }

        var calls = new List<ParsedCall>();
        foreach (var candidate in candidates)
        {
            if (Validate(candidate, protocol, out _) is not { } call)
            {
                return null;
            }

            calls.Add(call);
        }

        return calls;
    }

    private static string StripFence(string text)
    {
        if (!text.StartsWith("```", StringComparison.Ordinal) || !text.EndsWith("```", StringComparison.Ordinal) || text.Length < 6)
        {
            return text;
        }

        var firstLine = text.IndexOf('\n');
        if (firstLine < 0)
        {
            return text;
        }

        var language = text[3..firstLine].Trim();
        return language is "" or "json" or "json5" or "tool_call" or "tool_calls" or "javascript" or "js"
            ? text[(firstLine + 1)..^3].Trim()
            : text;
    }

    // The call objects a piece of JSON stands for (wrappers and lists unwrapped); empty when it is not JSON.
    private static List<JsonNode?> Candidates(string json)
    {
        var value = LooseJson.Parse(StripFence(json.Trim()), out var ok);
        var found = new List<JsonNode?>();
        if (ok)
        {
            Unwrap(value, found, 0);
        }
        else if (json.Trim().Length > 0)
        {
            found.Add(JsonValue.Create(json.Trim()));
        }

        return found;
    }

    private static void Unwrap(JsonNode? value, List<JsonNode?> found, int depth)
    {
        if (depth > 4)
        {
            return;
        }

        switch (value)
        {
            case JsonArray list:
                foreach (var item in list)
                {
                    Unwrap(item, found, depth + 1);
                }

                break;
            case JsonObject { Count: 1 } wrapper when wrapper["tool_calls"] is JsonArray or JsonObject:
                Unwrap(wrapper["tool_calls"], found, depth + 1);
                break;
            case JsonObject { Count: 1 } wrapper when wrapper["tool_call"] is JsonObject inner:
                Unwrap(inner, found, depth + 1);
                break;
            case JsonObject call when call["function"] is JsonObject function && call["name"] is null:
                Unwrap(function, found, depth + 1);
                break;
            default:
                found.Add(value);
                break;
        }
    }

    // A candidate as a call to a declared tool with its required arguments, or null with the reason.
    private static ParsedCall? Validate(JsonNode? candidate, ToolProtocol protocol, out string reason)
    {
        if (candidate is not JsonObject call)
        {
            reason = "it is not a JSON object";
            return null;
        }

        var name = StringOf(call["name"]) ?? StringOf(call["tool"]) ?? StringOf(call["tool_name"]);
        if (string.IsNullOrWhiteSpace(name))
        {
            reason = "it names no tool";
            return null;
        }

        if (!protocol.ByName.TryGetValue(name, out var tool))
        {
            var matches = protocol.Tools.Where(t => string.Equals(t.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count != 1)
            {
                reason = $"no tool named '{Shorten(name)}' was offered";
                return null;
            }

            tool = matches[0];
        }

        var arguments = call["arguments"] ?? call["parameters"] ?? call["args"] ?? call["input"] ?? call["params"];
        if (tool.Custom)
        {
            reason = string.Empty;
            return new ParsedCall(tool.Name, arguments is JsonValue v && v.TryGetValue<string>(out var free) ? free : arguments?.ToJsonString() ?? string.Empty, Custom: true);
        }

        if (arguments is JsonValue text && text.TryGetValue<string>(out var encoded))
        {
            // Arguments written as a JSON string (as OpenAI's API carries them).
            arguments = string.IsNullOrWhiteSpace(encoded) ? new JsonObject() : LooseJson.ParseObject(encoded);
        }

        arguments ??= call["arguments"] is null && call["parameters"] is null && call["args"] is null && call["input"] is null && call["params"] is null ? new JsonObject() : null;
        if (arguments is not JsonObject argumentObject)
        {
            reason = $"the arguments of '{tool.Name}' are not a JSON object";
            return null;
        }

        if (MissingRequired(tool, argumentObject) is { } missing)
        {
            reason = $"'{tool.Name}' is missing its required argument '{missing}'";
            return null;
        }

        reason = string.Empty;
        return new ParsedCall(tool.Name, argumentObject.ToJsonString(), Custom: false);
    }

    private static string? MissingRequired(ToolDefinition tool, JsonObject arguments)
    {
        if (tool.ParametersJson is null)
        {
            return null;
        }

        try
        {
            using var schema = JsonDocument.Parse(tool.ParametersJson);
            if (schema.RootElement.ValueKind != JsonValueKind.Object || !schema.RootElement.TryGetProperty("required", out var required) || required.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !arguments.ContainsKey(name.GetString()!))
                {
                    return name.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static string? StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    [GeneratedRegex(@"<tool_call\s*>(.*?)(?:</tool_call>|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex UnmarkedBlock();
}
