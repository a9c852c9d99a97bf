using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Anthropic;
using Gateway.Providers;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>The neutral conversation written as an Anthropic Messages body (clients of another format on Anthropic targets).</summary>
public sealed class AnthropicRequestWriterTests
{
    private const string Hi = "\"messages\":" + """[{"role":"user","content":[{"type":"text","text":"hi"}]}]""";

    private static readonly Opaque Own = Opaque.From("SIG", ProviderKind.Anthropic, "p");
    private static readonly Opaque Foreign = Opaque.From("OTHER", ProviderKind.Anthropic, "q");

    [Fact]
    public void Write_Minimal_ModelDefaultMaxTokensAndMessages()
    {
        Assert.Equal("""{"model":"claude-x","max_tokens":4096,""" + Hi + "}", Write(Conversation()));
        Assert.Equal("""{"model":"claude-x","max_tokens":77,""" + Hi + ""","stream":true}""", Write(Conversation(), stream: true, defaultMaxTokens: 77));
    }

    [Fact]
    public void Write_ThinkingOff_SamplingStopsAndUser()
    {
        var conversation = Conversation();
        conversation.MaxTokens = 100;
        conversation.Temperature = 1.5;
        conversation.TopK = 5;
        conversation.TopP = 0.5;
        conversation.StopSequences.AddRange(["a", "b"]);
        conversation.UserId = "u";

        Assert.Equal(
            """{"model":"claude-x","max_tokens":100,""" + Hi + ""","stop_sequences":["a","b"],"temperature":1,"top_k":5,"top_p":0.5,"metadata":{"user_id":"u"}}""",
            Write(conversation));

        conversation.Temperature = -0.5;
        Assert.Contains(""","temperature":0,""", Write(conversation), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.95, ""","top_p":0.95""")]
    [InlineData(0.94, "")]
    public void Write_AdaptiveThinking_NoTemperatureOrTopK_TopPOnlyFrom095(double topP, string expected)
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Adaptive = true, Effort = "minimal", Display = "omitted" };
        conversation.Temperature = 0.5;
        conversation.TopK = 5;
        conversation.TopP = topP;

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,""" + Hi + expected + ""","thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"low"}}""",
            Write(conversation, ThinkingMode.Native));
    }

    [Fact]
    public void Write_AdaptiveThinkingWithEffortAndSchema_BothInOutputConfig()
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Effort = "high" };
        conversation.ResponseFormat = new ResponseFormat("""{"type":"object"}""", "n");

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,""" + Hi + ""","thinking":{"type":"adaptive"},"output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object"}}}}""",
            Write(conversation, ThinkingMode.Passthrough));
    }

    [Fact]
    public void Write_SchemaWithoutThinking_FormatOnly_NoSchemaNoOutputConfig()
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Effort = "high" };
        conversation.ResponseFormat = new ResponseFormat("""{"type":"object"}""", null);

        Assert.Equal("""{"model":"claude-x","max_tokens":4096,""" + Hi + ""","output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}}}""", Write(conversation, ThinkingMode.Off));

        conversation.ResponseFormat = new ResponseFormat(null, null);
        Assert.Equal("""{"model":"claude-x","max_tokens":4096,""" + Hi + "}", Write(conversation, ThinkingMode.Off));
    }

    [Theory]
    [InlineData(2000, null, 1000, 4096, 2000, 6096)]
    [InlineData(2000, null, 2000, 4096, 2000, 6096)]
    [InlineData(2000, null, 2001, 4096, 2000, 2001)]
    [InlineData(5000, null, 5000, 4096, 5000, 10000)]
    [InlineData(500, null, 3000, 4096, 1024, 3000)]
    [InlineData(null, "low", null, 4096, 2048, 4096)]
    [InlineData(null, "high", null, 4096, 24576, 28672)]
    public void Write_BudgetThinking_BudgetAndMaxTokensAboveIt(int? budget, string? effort, int? maxTokens, int defaultMaxTokens, int expectedBudget, int expectedMax)
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { BudgetTokens = budget, Effort = effort };
        conversation.MaxTokens = maxTokens;

        Assert.Equal(
            $$$"""{"model":"claude-x","max_tokens":{{{expectedMax}}},{{{Hi}}},"thinking":{"type":"enabled","budget_tokens":{{{expectedBudget}}}}}""",
            Write(conversation, ThinkingMode.Native, ThinkingStyle.Budget, defaultMaxTokens: defaultMaxTokens));
    }

    [Fact]
    public void Write_BudgetStyleAdaptiveOnly_DefaultBudget()
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Adaptive = true };

        Assert.Equal(
            """{"model":"claude-x","max_tokens":12288,""" + Hi + ""","thinking":{"type":"enabled","budget_tokens":8192}}""",
            Write(conversation, ThinkingMode.Native, ThinkingStyle.Budget));
    }

    [Theory]
    [InlineData("Native", false, true, null, true)]
    [InlineData("Passthrough", false, true, null, false)]
    [InlineData("Passthrough", false, false, "low", true)]
    [InlineData("Native", true, true, "low", false)]
    [InlineData("Off", false, true, "low", false)]
    [InlineData("PromptTags", false, false, "low", false)]
    [InlineData("Native", false, false, null, false)]
    public void Write_ThinkingOnlyWhenTheModeAllowsWhatWasAsked(string mode, bool disabled, bool adaptive, string? effort, bool on)
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Disabled = disabled, Adaptive = adaptive, Effort = effort };

        Assert.Equal(on, Write(conversation, Enum.Parse<ThinkingMode>(mode)).Contains("\"thinking\":", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_NoReasoningAsked_NoThinking()
    {
        Assert.DoesNotContain("\"thinking\"", Write(Conversation(), ThinkingMode.Native), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Required", """{"type":"any"}""", false)]
    [InlineData("Tool", """{"type":"tool","name":"f"}""", false)]
    [InlineData("Auto", """{"type":"auto"}""", true)]
    [InlineData("None", """{"type":"none"}""", true)]
    public void Write_ForcedToolChoiceTurnsThinkingOff(string mode, string choice, bool thinking)
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Adaptive = true };
        conversation.Tools.Add(new ToolDefinition("f", null, null));
        conversation.ToolChoice = new ToolChoice(Enum.Parse<ToolChoiceMode>(mode), "f");

        var body = Write(conversation, ThinkingMode.Native);

        Assert.Contains("\"tool_choice\":" + choice, body, StringComparison.Ordinal);
        Assert.Equal(thinking, body.Contains("\"thinking\":", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_LastAssistantToolTurnWithOwnThinking_ThinkingOnAndItsBlockReplayed()
    {
        var conversation = ToolTurn(new ReasoningPart("t", Own));

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"SIG"},{"type":"tool_use","id":"c1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"r"}]}],"thinking":{"type":"adaptive"}}""",
            Write(conversation, ThinkingMode.Native));
    }

    [Fact]
    public void Write_LastAssistantToolTurnWithOwnRedactedThinking_ThinkingOn()
    {
        var conversation = ToolTurn(new RedactedReasoningPart(new Opaque("RED", ProviderKind.Anthropic, null)));

        Assert.Contains("""{"role":"assistant","content":[{"type":"redacted_thinking","data":"RED"},{"type":"tool_use","id":"c1","name":"f","input":{}}]}""", Write(conversation, ThinkingMode.Native), StringComparison.Ordinal);
        Assert.Contains("\"thinking\":{\"type\":\"adaptive\"}", Write(conversation, ThinkingMode.Native), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_LastAssistantToolTurnWithForeignOrNoThinking_ThinkingOff()
    {
        foreach (var conversation in new[] { ToolTurn(new ReasoningPart("t", Foreign)), ToolTurn(new RedactedReasoningPart(Foreign)), ToolTurn(new ReasoningPart("t", null)), ToolTurn(new ReasoningPart("t", Opaque.From("S", ProviderKind.Gemini, "p"))) })
        {
            Assert.Equal(
                """{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"r"}]}]}""",
                Write(conversation, ThinkingMode.Native));
        }
    }

    [Fact]
    public void Write_LastAssistantTurnWithoutToolCalls_ThinkingStaysOnWithoutItsThinking()
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Adaptive = true };
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new ReasoningPart("t", Foreign), new TextPart("a")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("b")]));

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[{"type":"text","text":"a"}]},{"role":"user","content":[{"type":"text","text":"b"}]}],"thinking":{"type":"adaptive"}}""",
            Write(conversation, ThinkingMode.Native));
    }

    [Fact]
    public void Write_ThinkingOff_PastThinkingLeftOut_AndTurnsThatHeldOnlyIt()
    {
        var conversation = Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new ReasoningPart("t", Own), new RedactedReasoningPart(Own)]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("again")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new ReasoningPart("t", Own), new TextPart("a")]));

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"text","text":"again"}]},{"role":"assistant","content":[{"type":"text","text":"a"}]}]}""",
            Write(conversation, ThinkingMode.Off));
    }

    [Fact]
    public void Write_ReasoningInAUserTurnIsNeverSent()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new ReasoningPart("t", Own), new RedactedReasoningPart(Own), new TextPart("q")]));
        conversation.Reasoning = new ReasoningRequest { Adaptive = true };

        Assert.Equal("""{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"q"}]}],"thinking":{"type":"adaptive"}}""", Write(conversation, ThinkingMode.Native));
    }

    [Fact]
    public void Write_Tools_FunctionsAndAnthropicNativeOnly()
    {
        var conversation = Conversation();
        conversation.Tools.Add(new ToolDefinition("f", "d", """{"type":"object"}""") { CacheControl = """{"type":"ephemeral"}""" });
        conversation.Tools.Add(new ToolDefinition("g", null, null));
        conversation.Tools.Add(new ToolDefinition("free", "custom", null) { Custom = true });
        conversation.Tools.Add(new ToolDefinition("web_search", null, null) { NativeJson = """{"type":"web_search_20250305","name":"web_search"}""", NativeKind = ProviderKind.Anthropic });
        conversation.Tools.Add(new ToolDefinition("x", null, null) { NativeJson = """{"type":"code_interpreter"}""", NativeKind = ProviderKind.OpenAI });

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,""" + Hi + ""","tools":[{"name":"f","description":"d","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}},{"name":"g","input_schema":{"type":"object","properties":{}}},{"type":"web_search_20250305","name":"web_search"}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_NoToolThatAnthropicTakes_NoToolsAndNoToolChoice()
    {
        var conversation = Conversation();
        conversation.Tools.Add(new ToolDefinition("free", null, null) { Custom = true });
        conversation.ToolChoice = new ToolChoice(ToolChoiceMode.Required);
        conversation.ParallelToolCalls = false;

        Assert.Equal("""{"model":"claude-x","max_tokens":4096,""" + Hi + "}", Write(conversation));
    }

    [Theory]
    [InlineData(null, null, null, "")]
    [InlineData(null, null, true, "")]
    [InlineData(null, null, false, ""","tool_choice":{"type":"auto","disable_parallel_tool_use":true}""")]
    [InlineData("Auto", null, null, ""","tool_choice":{"type":"auto"}""")]
    [InlineData("Required", null, false, ""","tool_choice":{"type":"any","disable_parallel_tool_use":true}""")]
    [InlineData("None", null, false, ""","tool_choice":{"type":"none"}""")]
    [InlineData("Tool", "g", false, ""","tool_choice":{"type":"tool","name":"g","disable_parallel_tool_use":true}""")]
    [InlineData("Tool", null, null, ""","tool_choice":{"type":"tool"}""")]
    [InlineData("Auto", "g", null, ""","tool_choice":{"type":"auto"}""")]
    public void Write_ToolChoice(string? mode, string? name, bool? parallel, string expected)
    {
        var conversation = Conversation();
        conversation.Tools.Add(new ToolDefinition("g", null, null));
        conversation.ToolChoice = mode is null ? null : new ToolChoice(Enum.Parse<ToolChoiceMode>(mode), name);
        conversation.ParallelToolCalls = parallel;

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,""" + Hi + ""","tools":[{"name":"g","input_schema":{"type":"object","properties":{}}}]""" + expected + "}",
            Write(conversation));
    }

    [Fact]
    public void Write_SystemTextsAndMidConversationSystemMessagesJoinTheSystemPrompt()
    {
        var conversation = new Conversation();
        conversation.System.AddRange([new TextPart("s1"), new TextPart("  "), new MediaPart("image/png", "QQ==", null)]);
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("q")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.System, [new TextPart("s2") { CacheControl = """{"type":"ephemeral","ttl":"1h"}""" }]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("q2")]));

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,"system":[{"type":"text","text":"s1"},{"type":"text","text":"s2","cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages":[{"role":"user","content":[{"type":"text","text":"q"},{"type":"text","text":"q2"}]}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_AutoCache_BreakpointsOnTheLastSystemTextAndTheLastTool()
    {
        var conversation = Conversation();
        conversation.System.AddRange([new TextPart("s1"), new TextPart("s2")]);
        conversation.Tools.Add(new ToolDefinition("f", null, null));
        conversation.Tools.Add(new ToolDefinition("g", null, null));

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,"system":[{"type":"text","text":"s1"},{"type":"text","text":"s2","cache_control":{"type":"ephemeral"}}],""" + Hi
            + ""","tools":[{"name":"f","input_schema":{"type":"object","properties":{}}},{"name":"g","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}}]}""",
            Write(conversation, autoCache: true));
    }

    [Theory]
    [InlineData("system")]
    [InlineData("tool")]
    [InlineData("message")]
    public void Write_AutoCache_NoneWhenTheClientPlacedItsOwn(string where)
    {
        const string Mine = """{"type":"ephemeral","ttl":"5m"}""";
        var conversation = new Conversation();
        conversation.System.Add(new TextPart("s") { CacheControl = where == "system" ? Mine : null });
        conversation.Tools.Add(new ToolDefinition("f", null, null) { CacheControl = where == "tool" ? Mine : null });
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("q") { CacheControl = where == "message" ? Mine : null }]));

        var body = Write(conversation, autoCache: true);

        Assert.DoesNotContain("""{"type":"ephemeral"}""", body, StringComparison.Ordinal);
        Assert.Contains(Mine, body, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Extensions_OnlyFromAnAnthropicClient()
    {
        var anthropic = new Conversation { ExtensionsFormat = WireFormat.AnthropicMessages };
        anthropic.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("hi")]));
        anthropic.Extensions.Add(("container", "\"c1\""));
        anthropic.Extensions.Add(("mcp_servers", "[ ]"));
        var other = Conversation();
        other.Extensions.Add(("container", "\"c1\""));

        Assert.Equal("""{"model":"claude-x","max_tokens":4096,""" + Hi + ""","container":"c1","mcp_servers":[ ]}""", Write(anthropic));
        Assert.Equal("""{"model":"claude-x","max_tokens":4096,""" + Hi + "}", Write(other));
    }

    [Fact]
    public void Write_Turns_MergedByRole_ResultsFirstInCallOrder_MissingAndOrphanResults()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("q")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("q2"), new TextPart("\n\n")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new TextPart("\n\n"), new ToolCallPart("call:1", "f", ""), new ToolCallPart("t2", "g", """{"a":1}""")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Tool, [new ToolResultPart("t2", [new TextPart("r2")], IsError: false)]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("next")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new TextPart("done")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new ToolResultPart("orphan", [new TextPart("x"), new TextPart("y")], IsError: true)]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart(" ")]));
        var id = "call_1_" + Opaque.ProviderHash("call:1");

        Assert.Equal(
            $$$"""{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"q"},{"type":"text","text":"q2"}]},{"role":"assistant","content":[{"type":"tool_use","id":"{{{id}}}","name":"f","input":{}},{"type":"tool_use","id":"t2","name":"g","input":{"a":1}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"{{{id}}}","content":"No result was provided for this tool call.","is_error":true},{"type":"tool_result","tool_use_id":"t2","content":"r2"},{"type":"text","text":"next"}]},{"role":"assistant","content":[{"type":"text","text":"done"}]},{"role":"user","content":[{"type":"text","text":"[Result of tool call orphan]\nx\n\ny"}]}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_TrailingToolCall_NoResultTurnAdded()
    {
        var conversation = Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new ToolCallPart("c1", "f", "{}")]));

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,""" + Hi[..^1] + """,{"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"f","input":{}}]}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_Blocks_ToolResultsMediaCustomCallsAndCacheControl()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [
            new MediaPart(null, "QQ==", null),
            new MediaPart(null, "UA==", null) { IsDocument = true },
            new MediaPart("image/gif", "Rw==", null) { CacheControl = """{"type":"ephemeral"}""" },
            new MediaPart(null, null, "https://x/d.pdf") { IsDocument = true },
            new MediaPart(null, null, "https://x/i.png"),
        ]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [
            new ToolCallPart("a", "f", "[1]"),
            new ToolCallPart("b", "patch", "*** raw", Custom: true),
            new ToolCallPart("c", "f", "{\"x\":") { CacheControl = """{"type":"ephemeral"}""" },
            new ToolCallPart("d", "f", "{}"),
        ]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [
            new ToolResultPart("a", [], IsError: false),
            new ToolResultPart("b", [new TextPart(" "), new TextPart("only")], IsError: false) { CacheControl = """{"type":"ephemeral"}""" },
            new ToolResultPart("c", [new TextPart("t"), new MediaPart("image/png", "QQ==", null)], IsError: true),
            new ToolResultPart("d", [new MediaPart(null, null, "https://x/i.png")], IsError: false),
        ]));

        Assert.Equal(
            """{"model":"claude-x","max_tokens":4096,"messages":["""
            + """{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"QQ=="}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"UA=="}},{"type":"image","source":{"type":"base64","media_type":"image/gif","data":"Rw=="},"cache_control":{"type":"ephemeral"}},{"type":"document","source":{"type":"url","url":"https://x/d.pdf"}},{"type":"image","source":{"type":"url","url":"https://x/i.png"}}]},"""
            + """{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{"value":[1]}},{"type":"tool_use","id":"b","name":"patch","input":{"input":"*** raw"}},{"type":"tool_use","id":"c","name":"f","input":{"arguments":"{\u0022x\u0022:"},"cache_control":{"type":"ephemeral"}},{"type":"tool_use","id":"d","name":"f","input":{}}]},"""
            + """{"role":"user","content":[{"type":"tool_result","tool_use_id":"a"},{"type":"tool_result","tool_use_id":"b","content":"only","cache_control":{"type":"ephemeral"}},{"type":"tool_result","tool_use_id":"c","content":[{"type":"text","text":"t"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"QQ=="}}],"is_error":true},{"type":"tool_result","tool_use_id":"d","content":[{"type":"image","source":{"type":"url","url":"https://x/i.png"}}]}]}]}""",
            Write(conversation));
    }

    [Theory]
    [InlineData("toolu_01-AZaz09", "toolu_01-AZaz09")]
    [InlineData("functions.bash:0", "functions_bash_0_")]
    [InlineData("", "_")]
    [InlineData("é", "__")]
    public void ToolId_KeepsAnthropicIds_MapsOthersWithAHash(string id, string prefix)
    {
        var expected = prefix == id ? id : prefix + Opaque.ProviderHash(id);

        Assert.Equal(expected, AnthropicRequestWriter.ToolId(id));
    }

    private static Conversation Conversation()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("hi")]));
        return conversation;
    }

    private static Conversation ToolTurn(ContentPart thinking)
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Adaptive = true };
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [thinking, new ToolCallPart("c1", "f", "{}")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Tool, [new ToolResultPart("c1", [new TextPart("r")], IsError: false)]));
        return conversation;
    }

    private static string Write(Conversation conversation, ThinkingMode thinking = ThinkingMode.Off, ThinkingStyle style = ThinkingStyle.Adaptive, bool stream = false, bool autoCache = false, int defaultMaxTokens = 4096)
    {
        var request = TestRequests.Of(conversation: conversation, model: "gpt", stream: stream);
        var target = new RouteTarget(
            new Provider("p", new ProviderOptions { Kind = ProviderKind.Anthropic, BaseUrl = "http://upstream.test/v1", Thinking = thinking, ThinkingStyle = style, AutoCacheBreakpoints = autoCache, DefaultMaxTokens = defaultMaxTokens }),
            "claude-x",
            1,
            null);
        return Encoding.UTF8.GetString(AnthropicRequestWriter.Instance.Write(request, target, stream).Span);
    }
}
