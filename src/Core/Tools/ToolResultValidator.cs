using Gateway.Chat;

namespace Gateway.Tools;

/// <summary>
/// Checks the tool results a request ends with against the calls they answer, before any upstream call:
/// a chat site cannot tell a result that answers nothing, so a client bug would otherwise become a
/// confused model. The results after the last assistant message must each name one of its calls, once,
/// and by the right tool name when they carry one.
/// </summary>
internal static class ToolResultValidator
{
    /// <summary>The first problem as a 400 (<c>param: messages</c>), or null when the results are sound.</summary>
    public static GatewayError? Validate(Conversation conversation)
    {
        var messages = conversation.Messages;
        var lastAssistant = messages.FindLastIndex(m => m.Role == ChatRole.Assistant);
        var results = messages.Skip(lastAssistant + 1).SelectMany(m => m.Parts.OfType<ToolResultPart>()).ToList();
        if (results.Count == 0)
        {
            return null;
        }

        var calls = lastAssistant < 0 ? [] : messages[lastAssistant].Parts.OfType<ToolCallPart>().ToList();
        if (calls.Count == 0)
        {
            return Error("missing_assistant_tool_calls", "tool results must follow an assistant message that made tool calls");
        }

        var answered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            if (string.IsNullOrWhiteSpace(result.CallId))
            {
                return Error("missing_tool_call_id", "a tool result has no tool call id");
            }

            if (calls.Find(c => c.Id == result.CallId) is not { } call)
            {
                return Error("tool_call_id_mismatch", $"the tool result for '{result.CallId}' answers no call of the last assistant message (its calls: {string.Join(", ", calls.Select(c => c.Id))})");
            }

            if (!answered.Add(result.CallId))
            {
                return Error("duplicate_tool_call_id", $"the tool call '{result.CallId}' has more than one result");
            }

            if (result.Name is { Length: > 0 } name && name != call.Name)
            {
                return Error("tool_name_mismatch", $"the tool result for '{result.CallId}' names '{name}', but that call was to '{call.Name}'");
            }
        }

        return null;
    }

    // The code leads the message too: the Anthropic envelope has no code field.
    private static GatewayError Error(string code, string message) => GatewayError.InvalidRequest(code, $"{code}: {message}.", "messages");
}
