using System.Text;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIResponses;

/// <summary>
/// A compaction an upstream without one of its own serves: the summary instruction added to the conversation,
/// and the compacted history (recent user messages within the budget, then the summary) as the answer.
/// </summary>
public sealed partial class ResponsesCompactionTests
{
    private const string Prefix = "Summary of the conversation so far, written before its history was compacted:\n";

    [Fact]
    public void Prepare_AddsTheInstructionAsTheLastUserMessage_AndForbidsToolCalls()
    {
        var conversation = new Conversation { ToolChoice = new ToolChoice(ToolChoiceMode.Required) };
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("fix the bug")]));

        ResponsesCompaction.Prepare(conversation);

        Assert.Equal(2, conversation.Messages.Count);
        Assert.Equal(ChatRole.User, conversation.Messages[1].Role);
        Assert.Equal(new TextPart(ResponsesCompaction.Instruction), Assert.Single(conversation.Messages[1].Parts));
        Assert.Equal(new ToolChoice(ToolChoiceMode.None), conversation.ToolChoice);
        Assert.StartsWith("The conversation above is about to be compacted: only your summary and the user's recent messages will be kept. ", ResponsesCompaction.Instruction, StringComparison.Ordinal);
        Assert.EndsWith("Be specific: paths, names, values, error messages. Reply with the summary only.", ResponsesCompaction.Instruction, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeWhole_IsACompactionResponse_RecentUserMessagesThenTheSummary()
    {
        var compaction = Compaction(
            new ChatMessage(ChatRole.System, [new TextPart("sys")]),
            new ChatMessage(ChatRole.User, [new TextPart("first"), new TextPart("second")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("answer")]),
            new ChatMessage(ChatRole.User, [new MediaPart("image/png", "AAAA", null)]),
            new ChatMessage(ChatRole.User, [new TextPart("third \"q\"")]),
            new ChatMessage(ChatRole.User, [new TextPart(ResponsesCompaction.Instruction)]));
        Assert.False(compaction.AllChoicesFinished);

        var body = compaction.EncodeWhole(
            [ChatUpdate.TextDelta("  Goal: x.", 0), ChatUpdate.TextDelta("other choice", 1), new ChatUpdate { Kind = ChatUpdateKind.ReasoningDelta, Text = "thinking" }, ChatUpdate.TextDelta(" Next: y.\n")],
            new TokenUsage(100, 20, false) { CacheReadTokens = 5, ReasoningTokens = 3 });

        Assert.Equal(
            """{"id":"resp_gw<generated>","object":"response.compaction","created_at":1700000000,"output":["""
            + """{"type":"message","role":"user","content":[{"type":"input_text","text":"first\n\nsecond"}]},"""
            + """{"type":"message","role":"user","content":[{"type":"input_text","text":"third \"q\""}]},"""
            + """{"type":"message","role":"user","content":[{"type":"input_text","text":"Summary of the conversation so far, written before its history was compacted:\nGoal: x. Next: y."}]}],"""
            + "\"usage\":{\"input_tokens\":105,\"input_tokens_details\":{\"cached_tokens\":5},\"output_tokens\":20,\"output_tokens_details\":{\"reasoning_tokens\":3},\"total_tokens\":125}}",
            Scrub(Encoding.UTF8.GetString(body.Span)));
        Assert.True(compaction.AllChoicesFinished);
        Assert.Equal(FinishReason.Stop, compaction.Finish);
    }

    [Fact]
    public void EncodeWhole_FinishFromTheUpdates()
    {
        var compaction = Compaction(new ChatMessage(ChatRole.User, [new TextPart("q")]));

        compaction.EncodeWhole([ChatUpdate.TextDelta("s"), ChatUpdate.Finished(FinishReason.Length)], default);

        Assert.Equal(FinishReason.Length, compaction.Finish);
        Assert.True(compaction.AllChoicesFinished);
    }

    [Fact]
    public void EncodeWhole_TheLastMessageIsNeverRetained_EvenAUsersOwn()
    {
        var compaction = Compaction(
            new ChatMessage(ChatRole.User, [new TextPart("kept")]),
            new ChatMessage(ChatRole.User, [new TextPart("last")]));

        Assert.Equal(["kept", Prefix + "s"], Texts(compaction.EncodeWhole([ChatUpdate.TextDelta("s")], default)));
    }

    [Fact]
    public void EncodeWhole_WithoutAConversation_IsTheSummaryAlone()
    {
        var compaction = new ResponsesCompaction(Request(conversation: null), 1);

        Assert.Equal([Prefix], Texts(compaction.EncodeWhole([], default)));
        Assert.Equal(FinishReason.Stop, compaction.Finish);
    }

    [Fact]
    public void EncodeWhole_RetainsTheNewestUserTextWithinTheBudget_CuttingTheOldestFromItsStart()
    {
        var compaction = Compaction(
            new ChatMessage(ChatRole.User, [new TextPart("not reached")]),
            new ChatMessage(ChatRole.User, [new TextPart("0123456789")]),
            new ChatMessage(ChatRole.User, [new TextPart(new string('b', 79_995))]),
            new ChatMessage(ChatRole.User, [new TextPart(ResponsesCompaction.Instruction)]));

        Assert.Equal(["56789", new string('b', 79_995), Prefix + "s"], Texts(compaction.EncodeWhole([ChatUpdate.TextDelta("s")], default)));
    }

    [Fact]
    public void EncodeWhole_BudgetSpentExactly_RetainsNothingOlder()
    {
        var compaction = Compaction(
            new ChatMessage(ChatRole.User, [new TextPart("older")]),
            new ChatMessage(ChatRole.User, [new TextPart(new string('b', 80_000))]),
            new ChatMessage(ChatRole.User, [new TextPart(ResponsesCompaction.Instruction)]));

        Assert.Equal([new string('b', 80_000), Prefix + "s"], Texts(compaction.EncodeWhole([ChatUpdate.TextDelta("s")], default)));
    }

    [Fact]
    public void EncodeWhole_OneMessageOverTheBudget_KeepsItsLast80000Characters()
    {
        var compaction = Compaction(
            new ChatMessage(ChatRole.User, [new TextPart("older")]),
            new ChatMessage(ChatRole.User, [new TextPart("head" + new string('b', 80_000))]),
            new ChatMessage(ChatRole.User, [new TextPart(ResponsesCompaction.Instruction)]));

        Assert.Equal([new string('b', 80_000), Prefix + "s"], Texts(compaction.EncodeWhole([ChatUpdate.TextDelta("s")], default)));
    }

    [Fact]
    public void EncodeAndComplete_WriteNoFrames()
    {
        var compaction = Compaction(new ChatMessage(ChatRole.User, [new TextPart("q")]));
        var frames = new List<SseFrame>();

        compaction.Encode([ChatUpdate.TextDelta("s"), ChatUpdate.Finished(FinishReason.Stop)], frames);
        compaction.Complete(frames, default, Gateway.Pipeline.StreamErrors.Interrupted());

        Assert.Empty(frames);
        Assert.False(compaction.AllChoicesFinished);
    }

    private static ResponsesCompaction Compaction(params ChatMessage[] messages)
    {
        var conversation = new Conversation();
        conversation.Messages.AddRange(messages);
        return new ResponsesCompaction(Request(conversation), 1_700_000_000);
    }

    private static ChatRequest Request(Conversation? conversation) =>
        TestRequests.Of(WireFormat.OpenAIResponses, """{"model":"m","input":"q"}""", conversation, compaction: true);

    // The input_text of every output message, in order.
    private static List<string> Texts(ReadOnlyMemory<byte> body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("output").EnumerateArray().Select(m => m.GetProperty("content")[0].GetProperty("text").GetString()!)];
    }

    private static string Scrub(string text) => GeneratedId().Replace(text, "resp_gw<generated>");

    [GeneratedRegex("resp_gw[0-9a-f]{24}")]
    private static partial Regex GeneratedId();
}
