using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIResponses;

/// <summary>
/// <c>POST /v1/responses/compact</c> on an upstream that has no compaction of its own: the target model is
/// asked to summarise the conversation, and the answer is the compacted history Codex replaces its own
/// with — the most recent user messages (within a budget, oldest first) and the summary as the last user
/// message — in the shape of OpenAI's compaction response (<c>object: "response.compaction"</c>, <c>output</c>).
/// </summary>
internal sealed class ResponsesCompaction : IClientEncoder
{
    /// <summary>The instruction appended to the conversation for the summary.</summary>
    internal const string Instruction =
        "The conversation above is about to be compacted: only your summary and the user's recent messages will be kept. "
        + "Write the summary your future self needs to continue the work without the rest: the user's goal and constraints, "
        + "what has been done (files changed, commands run and their results), decisions and why, what failed, what is still open, "
        + "and the next steps. Be specific: paths, names, values, error messages. Reply with the summary only.";

    /// <summary>What starts the summary message, so a reader of the history knows what it is.</summary>
    internal const string SummaryPrefix = "Summary of the conversation so far, written before its history was compacted:\n";

    // Characters of user messages kept beside the summary (about 20k tokens).
    private const int RetainedCharacters = 80_000;

    private readonly ChatRequest _request;
    private readonly long _createdAt;
    private FinishReason? _finish;

    public ResponsesCompaction(ChatRequest request, long createdAt)
    {
        _request = request;
        _createdAt = createdAt;
    }

    public bool AllChoicesFinished => _finish is not null;

    public FinishReason? Finish => _finish;

    /// <summary>
    /// Adds the summary instruction to the conversation to send. The tools stay declared (the history's
    /// calls refer to them; Anthropic requires it) but the model may not call one: the answer is text.
    /// </summary>
    public static void Prepare(Conversation conversation)
    {
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart(Instruction)]));
        conversation.ToolChoice = new ToolChoice(ToolChoiceMode.None);
    }

    // Compaction is a unary call: no stream is ever encoded.
    public void Encode(List<ChatUpdate> updates, List<SseFrame> frames)
    {
    }

    public void Complete(List<SseFrame> frames, TokenUsage usage, GatewayError interruption)
    {
    }

    public ReadOnlyMemory<byte> EncodeWhole(List<ChatUpdate> updates, TokenUsage usage)
    {
        var summary = new StringBuilder();
        foreach (var update in updates)
        {
            if (update.Choice == 0 && update.Kind == ChatUpdateKind.TextDelta)
            {
                summary.Append(update.Text);
            }
            else if (update.Kind == ChatUpdateKind.Finish)
            {
                _finish = update.Finish;
            }
        }

        _finish ??= FinishReason.Stop;
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", "resp_gw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
            w.WriteString("object", "response.compaction");
            w.WriteNumber("created_at", _createdAt);
            w.WriteStartArray("output");
            foreach (var text in RetainedUserMessages())
            {
                WriteUserMessage(w, text);
            }

            WriteUserMessage(w, SummaryPrefix + summary.ToString().Trim());
            w.WriteEndArray();
            w.WritePropertyName("usage");
            ResponsesEncoder.WriteUsage(w, usage);
            w.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    // The user's own words, newest first until the budget is spent, returned oldest first; the
    // instruction this class appended is not among them.
    private List<string> RetainedUserMessages()
    {
        var messages = _request.Conversation?.Messages ?? [];
        var kept = new List<string>();
        var budget = RetainedCharacters;
        for (var i = messages.Count - 2; i >= 0 && budget > 0; i--)
        {
            if (messages[i].Role != ChatRole.User || OpenAIChat.OpenAIChatRequestWriter.JoinText(messages[i].Parts) is not { Length: > 0 } text)
            {
                continue;
            }

            kept.Add(text.Length <= budget ? text : text[^budget..]);
            budget -= text.Length;
        }

        kept.Reverse();
        return kept;
    }

    private static void WriteUserMessage(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteString("role", "user");
        w.WriteStartArray("content");
        w.WriteStartObject();
        w.WriteString("type", "input_text");
        w.WriteString("text", text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
