using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.OpenAIChat;
using Gateway.Tools;

namespace Gateway.Protocols.ChatSite;

/// <summary>
/// The one text a chat site takes: the system text and the thinking prompt, the tool instructions, the
/// conversation so far and the current turn (its question and the results of the tools it called). A
/// reused site session already holds the earlier turns, so then only the current turn goes (with the tool
/// instructions when the session has not had them for these tools, and again every
/// <see cref="ChatSiteOptions.ToolReminderTurns"/> turns). Over
/// <see cref="ChatSiteOptions.QueryBudgetChars"/>, tool results are cut first, the oldest history next, the
/// current question last.
/// </summary>
internal static class ChatSiteQuery
{
    // Tool results are never cut below this many characters while history can still go.
    private const int MinResultChars = 200;

    private const string Omitted = "[Earlier messages omitted]";

    public static string Build(Conversation conversation, SiteSession? session, ToolProtocol? tools, bool toolsKnown, ChatSiteOptions site, int? thinkingBudget)
    {
        var messages = conversation.Messages;
        var lastAssistant = messages.FindLastIndex(m => m.Role == ChatRole.Assistant);
        var history = session is null ? messages.Take(lastAssistant + 1).ToList() : [];
        var current = messages.Skip(lastAssistant + 1).ToList();

        var fixedParts = new List<string>();
        if (thinkingBudget is { } budget)
        {
            fixedParts.Add(ThinkingPrompt.For(budget));
        }

        if (session is null && Text(conversation.System) is { Length: > 0 } system)
        {
            fixedParts.Add(system);
        }

        if (tools is { Offered: true } && (session is null || !toolsKnown || session.Turns % site.ToolReminderTurns == 0))
        {
            fixedParts.Add(tools.Instructions());
        }

        var names = messages.SelectMany(m => m.Parts.OfType<ToolCallPart>()).GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First().Name);
        var plainQuestion = history.Count == 0 && current.All(m => m.Role == ChatRole.User && m.Parts.All(p => p is not ToolResultPart));
        var resultChars = site.ToolResultMaxChars;
        var dropped = 0;
        while (true)
        {
            var historyText = history.Skip(dropped).Select(m => Render(m, tools, names, resultChars, labelled: true)).ToList();
            var currentText = string.Join("\n\n", current.Select(m => Render(m, tools, names, resultChars, labelled: !plainQuestion)));
            var query = Assemble(fixedParts, historyText, dropped > 0, currentText);
            if (query.Length <= site.QueryBudgetChars)
            {
                return query;
            }

            if (resultChars > MinResultChars && HasResults(history.Skip(dropped).Concat(current)))
            {
                resultChars = Math.Max(MinResultChars, resultChars / 2);
            }
            else if (dropped < history.Count)
            {
                dropped++;
            }
            else
            {
                // Only the current turn is left: cut it to what the budget leaves (head and tail kept).
                var room = Math.Max(MinResultChars, site.QueryBudgetChars - Assemble(fixedParts, [], dropped > 0, string.Empty).Length);
                return Assemble(fixedParts, [], dropped > 0, ToolProtocol.HeadAndTail(currentText, room));
            }
        }
    }

    private static string Assemble(List<string> fixedParts, List<string> history, bool omitted, string current)
    {
        var text = new StringBuilder();
        foreach (var part in fixedParts)
        {
            text.Append(part).Append("\n\n");
        }

        if (history.Count > 0 || omitted)
        {
            text.Append("# Conversation so far\n\n");
            if (omitted)
            {
                text.Append(Omitted).Append("\n\n");
            }

            foreach (var entry in history)
            {
                text.Append(entry).Append("\n\n");
            }

            text.Append("# Current message\n\n");
        }

        return text.Append(current).ToString().TrimEnd();
    }

    private static bool HasResults(IEnumerable<ChatMessage> messages) => messages.Any(m => m.Parts.Any(p => p is ToolResultPart));

    private static string Render(ChatMessage message, ToolProtocol? tools, Dictionary<string, string> names, int resultChars, bool labelled)
    {
        var text = new StringBuilder();
        if (labelled)
        {
            text.Append(message.Role == ChatRole.Assistant ? "Assistant" : message.Role == ChatRole.Tool ? "Tool" : message.Role == ChatRole.System ? "System" : "User").Append(": ");
        }

        var first = true;
        foreach (var part in message.Parts)
        {
            var piece = part switch
            {
                TextPart t => t.Text,
                MediaPart m => $"[{m.MediaType ?? "media"} attachment omitted]",
                ToolCallPart call => tools?.RenderCall(call) ?? $"[called {call.Name} with {call.Arguments}]",
                ToolResultPart result => ToolProtocol.RenderResult(result.Name ?? names.GetValueOrDefault(result.CallId), result.CallId, Text(result.Parts), result.IsError, resultChars),
                _ => null,
            };
            if (string.IsNullOrEmpty(piece))
            {
                continue;
            }

            if (!first)
            {
                text.Append(part is TextPart ? "\n" : "\n\n");
            }

            text.Append(piece);
            first = false;
        }

        return text.ToString();
    }

    private static string Text(IEnumerable<ContentPart> parts) => string.Join("\n", parts.Select(p => p switch
    {
        TextPart t => t.Text,
        MediaPart m => $"[{m.MediaType ?? "media"} attachment omitted]",
        _ => null,
    }).Where(t => !string.IsNullOrEmpty(t)));
}
