using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.ChatSite;
using Gateway.Tools;
using Xunit;

namespace Gateway.Tests.Protocols.ChatSite;

/// <summary>The one text a chat site takes: fixed parts, the conversation so far and the current turn, within a budget.</summary>
public sealed class ChatSiteQueryTests
{
    private static readonly ChatSiteOptions Site = new();

    [Fact]
    public void Build_PlainQuestion_IsUnlabelled_AfterThinkingPromptAndSystem()
    {
        var conversation = Conversation(new ChatMessage(ChatRole.User, [new TextPart("hello"), new TextPart("again")]));
        conversation.System.Add(new TextPart("Be brief."));
        conversation.System.Add(new MediaPart("image/png", "AA", null));
        conversation.System.Add(new TextPart(string.Empty));

        Assert.Equal("Be brief.\n[image/png attachment omitted]\n\nhello\nagain", ChatSiteQuery.Build(conversation, null, null, false, Site, null));
        Assert.Equal(
            "<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>\n\nBe brief.\n[image/png attachment omitted]\n\nhello\nagain",
            ChatSiteQuery.Build(conversation, null, null, false, Site, 64));
    }

    [Fact]
    public void Build_History_LabelledUnderHeadings()
    {
        var conversation = Conversation(
            new ChatMessage(ChatRole.System, [new TextPart("sys")]),
            new ChatMessage(ChatRole.User, [new TextPart("q1"), new MediaPart(null, null, "https://x.test/a.png")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("a1"), new ToolCallPart("c1", "f", """{"x":1}"""), new TextPart(string.Empty), new TextPart("after")]),
            new ChatMessage(ChatRole.Tool, [new ToolResultPart("c1", [new TextPart("r1"), new TextPart("r2")], false)]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("a2")]),
            new ChatMessage(ChatRole.User, [new TextPart("q2")]),
            new ChatMessage(ChatRole.User, [new TextPart("q3")]));

        Assert.Equal(
            "# Conversation so far\n\n" +
            "System: sys\n\n" +
            "User: q1\n\n[media attachment omitted]\n\n" +
            "Assistant: a1\n\n[called f with {\"x\":1}]\nafter\n\n" +
            "Tool: [tool_result name=f call=c1]\nr1\nr2\n[/tool_result]\n\n" +
            "Assistant: a2\n\n" +
            "# Current message\n\n" +
            "User: q2\n\nUser: q3",
            ChatSiteQuery.Build(conversation, null, null, false, Site, null));
    }

    // A current turn of tool results is labelled even without history; a result's own name wins over the call's.
    [Fact]
    public void Build_CurrentToolResults_AreLabelled()
    {
        var conversation = Conversation(new ChatMessage(ChatRole.User, [new ToolResultPart("c9", [new TextPart("out")], true) { Name = "g" }, new TextPart("go on")]));

        Assert.Equal("User: [tool_result name=g call=c9 error]\nout\n[/tool_result]\ngo on", ChatSiteQuery.Build(conversation, null, null, false, Site, null));
    }

    [Fact]
    public void Build_ContinuedSession_OnlyTheCurrentTurn_NoSystem()
    {
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart("q1")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("a1")]),
            new ChatMessage(ChatRole.User, [new TextPart("q2")]));
        conversation.System.Add(new TextPart("sys"));

        Assert.Equal("q2", ChatSiteQuery.Build(conversation, new SiteSession("s", null, 1), null, false, Site, null));
    }

    [Fact]
    public void Build_ToolCallsInHistory_RenderedAsTheModelWritesThem()
    {
        var tools = new ToolProtocol([new ToolDefinition("f", null, null)], null, "nonce1");
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart("q1")]),
            new ChatMessage(ChatRole.Assistant, [new ToolCallPart("c1", "f", """{"x":1}""")]),
            new ChatMessage(ChatRole.User, [new ToolResultPart("c1", [], false)]));

        Assert.Equal(
            tools.Instructions() + "\n\n# Conversation so far\n\nUser: q1\n\nAssistant: " + tools.OpenTag + """{"name": "f", "arguments": {"x":1}}</tool_call>""" +
            "\n\n# Current message\n\nUser: [tool_result name=f call=c1]\n\n[/tool_result]",
            ChatSiteQuery.Build(conversation, null, tools, false, Site, null));
    }

    [Theory]
    [InlineData(false, false, 1, true)]
    [InlineData(true, false, 1, true)]
    [InlineData(true, true, 1, false)]
    [InlineData(true, true, 3, false)]
    [InlineData(true, true, 4, true)]
    [InlineData(true, true, 0, true)]
    [InlineData(true, true, 8, true)]
    public void Build_ToolInstructions_WhenTheSessionDoesNotHoldThem(bool continued, bool toolsKnown, int turns, bool expected)
    {
        var tools = new ToolProtocol([new ToolDefinition("f", null, null)], null, "nonce1");
        var conversation = Conversation(new ChatMessage(ChatRole.User, [new TextPart("q")]));

        var query = ChatSiteQuery.Build(conversation, continued ? new SiteSession("s", null, turns) : null, tools, toolsKnown, Site, null);

        Assert.Equal(expected ? tools.Instructions() + "\n\nq" : "q", query);
    }

    [Fact]
    public void Build_ToolsNotOffered_NoInstructions()
    {
        var none = new ToolProtocol([new ToolDefinition("f", null, null)], new ToolChoice(ToolChoiceMode.None), "nonce1");
        var empty = new ToolProtocol([], null, "nonce1");
        var conversation = Conversation(new ChatMessage(ChatRole.User, [new TextPart("q")]));

        Assert.Equal("q", ChatSiteQuery.Build(conversation, null, none, false, Site, null));
        Assert.Equal("q", ChatSiteQuery.Build(conversation, null, empty, false, Site, null));
    }

    [Fact]
    public void Build_WithinBudget_IsNotCut()
    {
        var conversation = Conversation(new ChatMessage(ChatRole.User, [new TextPart(new string('x', 50))]));

        Assert.Equal(new string('x', 50), ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 50 }, null));
    }

    // Over budget: tool results are halved first (never below 200 characters while history can go).
    [Fact]
    public void Build_OverBudget_ToolResultsCutFirst()
    {
        var result = new string('r', 1000);
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart("q1")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("a1")]),
            new ChatMessage(ChatRole.User, [new ToolResultPart("c1", [new TextPart(result)], false)]));
        var site = Site with { QueryBudgetChars = 700, ToolResultMaxChars = 1000 };

        var query = ChatSiteQuery.Build(conversation, null, null, false, site, null);

        Assert.Equal(
            "# Conversation so far\n\nUser: q1\n\nAssistant: a1\n\n# Current message\n\nUser: [tool_result call=c1]\n" + ToolProtocol.HeadAndTail(result, 500) + "\n[/tool_result]",
            query);
    }

    // Then the oldest history goes (marked), and last the current turn is cut, head and tail kept.
    [Fact]
    public void Build_OverBudget_OldestHistoryNext_CurrentTurnLast()
    {
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart(new string('a', 100))]),
            new ChatMessage(ChatRole.Assistant, [new TextPart(new string('b', 100))]),
            new ChatMessage(ChatRole.User, [new TextPart(new string('c', 100))]));

        Assert.Equal(
            "# Conversation so far\n\n[Earlier messages omitted]\n\nAssistant: " + new string('b', 100) + "\n\n# Current message\n\nUser: " + new string('c', 100),
            ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 300 }, null));

        var prefix = "# Conversation so far\n\n[Earlier messages omitted]\n\n# Current message\n\n";
        var current = "User: " + new string('c', 100);
        Assert.Equal(prefix + current, ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 180 }, null));
        Assert.Equal(prefix + ToolProtocol.HeadAndTail(current, 200), ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 100 }, null));

        var big = Conversation(new ChatMessage(ChatRole.User, [new TextPart(new string('q', 1000))]));
        Assert.Equal(ToolProtocol.HeadAndTail(new string('q', 1000), 300), ChatSiteQuery.Build(big, null, null, false, Site with { QueryBudgetChars = 300 }, null));
        Assert.Equal("S\n\n" + ToolProtocol.HeadAndTail(new string('q', 1000), 299), ChatSiteQuery.Build(WithSystem(big, "S"), null, null, false, Site with { QueryBudgetChars = 300 }, null));
    }

    // Results are never halved below 200 characters: the history goes instead.
    [Fact]
    public void Build_OverBudget_ResultsStopAtTheMinimum()
    {
        var result = new string('r', 300);
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart(new string('a', 100))]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("b")]),
            new ChatMessage(ChatRole.User, [new ToolResultPart("c1", [new TextPart(result)], false)]));
        var site = Site with { QueryBudgetChars = 330, ToolResultMaxChars = 300 };

        Assert.Equal(
            "# Conversation so far\n\n[Earlier messages omitted]\n\nAssistant: b\n\n# Current message\n\nUser: [tool_result call=c1]\n" + ToolProtocol.HeadAndTail(result, 200) + "\n[/tool_result]",
            ChatSiteQuery.Build(conversation, null, null, false, site, null));
    }

    // A current turn that is not only user questions is labelled, even without history.
    [Fact]
    public void Build_CurrentTurnWithAToolMessage_IsLabelled()
    {
        var conversation = Conversation(new ChatMessage(ChatRole.User, [new TextPart("q")]), new ChatMessage(ChatRole.Tool, [new TextPart("t"), new MediaPart("image/gif", null, "u")]));

        Assert.Equal("User: q\n\nTool: t\n\n[image/gif attachment omitted]", ChatSiteQuery.Build(conversation, null, null, false, Site, null));
    }

    // A result's own name wins over the name of the call it answers.
    [Fact]
    public void Build_ResultName_OwnBeforeTheCalls()
    {
        var conversation = Conversation(
            new ChatMessage(ChatRole.Assistant, [new ToolCallPart("c1", "f", "{}")]),
            new ChatMessage(ChatRole.User, [new ToolResultPart("c1", [new TextPart("out")], false) { Name = "g" }]));

        Assert.Equal(
            "# Conversation so far\n\nAssistant: [called f with {}]\n\n# Current message\n\nUser: [tool_result name=g call=c1]\nout\n[/tool_result]",
            ChatSiteQuery.Build(conversation, null, null, false, Site, null));
    }

    // Exactly the budget still fits: nothing is dropped.
    [Fact]
    public void Build_ExactlyTheBudget_IsNotCut()
    {
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart(new string('a', 100))]),
            new ChatMessage(ChatRole.Assistant, [new TextPart(new string('b', 100))]),
            new ChatMessage(ChatRole.User, [new TextPart(new string('c', 100))]));
        var whole = ChatSiteQuery.Build(conversation, null, null, false, Site, null);

        Assert.Equal(369, whole.Length);
        Assert.Equal(whole, ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 369 }, null));
        Assert.NotEqual(whole, ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 368 }, null));
    }

    // With the history gone, the current turn gets what the budget leaves after the headings.
    [Fact]
    public void Build_OverBudget_CurrentTurnCutToWhatTheHeadingsLeave()
    {
        var current = "User: " + new string('c', 1000);
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart("a")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("b")]),
            new ChatMessage(ChatRole.User, [new TextPart(new string('c', 1000))]));

        Assert.Equal(
            "# Conversation so far\n\n[Earlier messages omitted]\n\n# Current message\n\n" + ToolProtocol.HeadAndTail(current, 500 - 68),
            ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 500 }, null));
    }

    // A message with a result among other parts still has results to cut.
    [Fact]
    public void Build_OverBudget_ResultsAmongOtherPartsAreCut()
    {
        var result = new string('r', 1000);
        var conversation = Conversation(
            new ChatMessage(ChatRole.User, [new TextPart("q1")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("a1")]),
            new ChatMessage(ChatRole.User, [new ToolResultPart("c1", [new TextPart(result)], false), new TextPart("more")]));

        Assert.Equal(
            "# Conversation so far\n\nUser: q1\n\nAssistant: a1\n\n# Current message\n\nUser: [tool_result call=c1]\n" + ToolProtocol.HeadAndTail(result, 500) + "\n[/tool_result]\nmore",
            ChatSiteQuery.Build(conversation, null, null, false, Site with { QueryBudgetChars = 700, ToolResultMaxChars = 1000 }, null));
    }

    private static Conversation Conversation(params ChatMessage[] messages)
    {
        var conversation = new Conversation();
        conversation.Messages.AddRange(messages);
        return conversation;
    }

    private static Conversation WithSystem(Conversation conversation, string system)
    {
        conversation.System.Add(new TextPart(system));
        return conversation;
    }
}
