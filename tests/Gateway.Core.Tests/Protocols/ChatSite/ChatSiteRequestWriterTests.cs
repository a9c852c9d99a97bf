using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.ChatSite;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Tools;
using Xunit;

namespace Gateway.Tests.Protocols.ChatSite;

/// <summary>A chat site's request body: the fixed fields, the query, the continued site session.</summary>
public sealed class ChatSiteRequestWriterTests
{
    private static readonly ChatSiteOptions Site = new() { AgentSlug = "agent", Locale = "de", Modes = new Dictionary<string, bool> { ["search"] = true, ["deep"] = false } };

    [Fact]
    public void Write_NewConversation_FixedFieldsAndTheQuery()
    {
        var conversation = Conversation("Say \"hi\" <now>");
        conversation.MaxTokens = 50;
        var request = Request(conversation);
        request.AnsweredSiteSession = new SiteSession("old", null, 0);
        var writer = new ChatSiteRequestWriter(null, SiteSessionUse.For(null, conversation, []));

        Assert.Equal(
            """{"request":{"agent_slug":"agent","model_slug":"site-model","locale":"de","modes":{"search":true,"deep":false},"query":"Say \"hi\" <now>"},"messages":[{"role":"user","content":"Say \"hi\" <now>"}],"stream":true,"max_tokens":50}""",
            Write(writer, request, stream: true));
        Assert.Null(request.AnsweredSiteSession);
        Assert.Equal(
            """{"request":{"agent_slug":"agent","model_slug":"site-model","locale":"de","modes":{"search":true,"deep":false},"query":"Say \"hi\" <now>"},"messages":[{"role":"user","content":"Say \"hi\" <now>"}],"stream":false,"max_tokens":50}""",
            Write(writer, request, stream: false));
        Assert.Null(writer.WithoutSession(request, Target(), stream: true));
    }

    [Fact]
    public void Write_NoConversation_Throws()
    {
        var request = Request(null);
        var writer = new ChatSiteRequestWriter(null, SiteSessionUse.For(null, new Conversation(), []));

        var error = Assert.Throws<InvalidOperationException>(() => writer.Write(request, Target(), stream: false));
        Assert.Equal("A chat-site request needs the neutral conversation.", error.Message);
    }

    // A continued session gets only the current turn and its ids; once the site forgot it, the whole conversation goes once more.
    [Fact]
    public void Write_ContinuedSession_IdsAndCurrentTurn_ThenOnceWithoutIt()
    {
        var conversation = Conversation("q1");
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new TextPart("a1")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("q2")]));
        var stored = SiteSessionUse.For(null, conversation, []).Answered("s1", "e1", "n1") with { Turns = 2 };
        var use = SiteSessionUse.For(stored, conversation, []);
        var writer = new ChatSiteRequestWriter(null, use);
        var request = Request(conversation);

        Assert.Equal(
            """{"request":{"agent_slug":"agent","model_slug":"site-model","locale":"de","modes":{"search":true,"deep":false},"query":"q2"},"messages":[{"role":"user","content":"q2"}],"stream":false,"session_id":"s1","exchange_id":"e1"}""",
            Write(writer, request, stream: false));

        const string whole = "# Conversation so far\\n\\nUser: q1\\n\\nAssistant: a1\\n\\n# Current message\\n\\nUser: q2";
        Assert.Equal(
            $$"""{"request":{"agent_slug":"agent","model_slug":"site-model","locale":"de","modes":{"search":true,"deep":false},"query":"{{whole}}"},"messages":[{"role":"user","content":"{{whole}}"}],"stream":true}""",
            Encoding.UTF8.GetString(writer.WithoutSession(request, Target(), stream: true)!.Value.Span));
        Assert.Null(writer.WithoutSession(request, Target(), stream: true));
        Assert.Contains("\"query\":\"" + whole + "\"", Write(writer, request, stream: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SessionWithExchangeIdOnly()
    {
        var conversation = Conversation("q");
        var stored = SiteSessionUse.For(null, conversation, []).Answered(null, "e1", null);
        var writer = new ChatSiteRequestWriter(null, SiteSessionUse.For(stored, conversation, []));

        Assert.EndsWith("""
            "stream":false,"exchange_id":"e1"}
            """, Write(writer, Request(conversation), stream: false), StringComparison.Ordinal);
    }

    // Tool instructions again only when the session does not hold them for exactly these tools.
    [Fact]
    public void Write_ContinuedSession_ToolInstructionsOnlyWhenUnknown()
    {
        var conversation = Conversation("q");
        ToolDefinition[] tools = [new ToolDefinition("f", null, null)];
        var protocol = new ToolProtocol(tools, null, "n1");
        var known = SiteSessionUse.For(null, conversation, tools).Answered("s1", null, "n1") with { Turns = 1 };
        var otherTools = SiteSessionUse.For(null, conversation, [new ToolDefinition("g", null, null)]).Answered("s1", null, "n1") with { Turns = 1 };

        Assert.Contains("\"query\":\"q\"", Write(new ChatSiteRequestWriter(protocol, SiteSessionUse.For(known, conversation, tools)), Request(conversation), false), StringComparison.Ordinal);
        Assert.Contains("\"query\":\"# Tools\\n", Write(new ChatSiteRequestWriter(protocol, SiteSessionUse.For(otherTools, conversation, tools)), Request(conversation), false), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ThinkingMode.PromptTags, 100, null, 100)]
    [InlineData(ThinkingMode.PromptTags, null, "medium", 8192)]
    [InlineData(ThinkingMode.PromptTags, 100, "medium", 100)]
    [InlineData(ThinkingMode.PromptTags, null, null, null)]
    [InlineData(ThinkingMode.Off, 100, "medium", null)]
    [InlineData(ThinkingMode.Native, 100, "medium", null)]
    public void Write_PromptTags_TheBudgetOrOneTheEffortStandsFor(ThinkingMode mode, int? budget, string? effort, int? expected)
    {
        var conversation = Conversation("q");
        conversation.Reasoning = effort is null ? null : new ReasoningRequest { Effort = effort };
        var writer = new ChatSiteRequestWriter(null, SiteSessionUse.For(null, conversation, []));

        var body = Write(writer, Request(conversation, budget), false, mode);

        var query = expected is { } b ? $"<thinking_mode>interleaved</thinking_mode><max_thinking_length>{b}</max_thinking_length>\\n\\nq" : "q";
        Assert.Contains("\"query\":\"" + query + "\"}", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_PromptTags_DisabledReasoningGivesNoBudget()
    {
        var conversation = Conversation("q");
        conversation.Reasoning = new ReasoningRequest { Effort = "high", Disabled = true };
        var writer = new ChatSiteRequestWriter(null, SiteSessionUse.For(null, conversation, []));

        Assert.Contains("\"query\":\"q\"}", Write(writer, Request(conversation), false, ThinkingMode.PromptTags), StringComparison.Ordinal);
    }

    private static Conversation Conversation(string question)
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart(question)]));
        return conversation;
    }

    private static ChatRequest Request(Conversation? conversation, int? thinkingBudget = null) =>
        TestRequests.Of(conversation: conversation, thinkingBudget: thinkingBudget);

    private static RouteTarget Target(ThinkingMode thinking = ThinkingMode.PromptTags) =>
        new(new Provider("site", new ProviderOptions { Kind = ProviderKind.ChatSite, BaseUrl = "http://site.test/api", Thinking = thinking, ChatSite = Site }), "site-model", 1, null);

    private static string Write(ChatSiteRequestWriter writer, ChatRequest request, bool stream, ThinkingMode thinking = ThinkingMode.PromptTags) =>
        Encoding.UTF8.GetString(writer.Write(request, Target(thinking), stream).Span);
}
