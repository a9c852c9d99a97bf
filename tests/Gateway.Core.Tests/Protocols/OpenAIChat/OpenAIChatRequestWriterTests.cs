using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>The neutral conversation written as an OpenAI Chat Completions body (another format's client, an OpenAI-kind target).</summary>
public sealed class OpenAIChatRequestWriterTests
{
    [Fact]
    public void Write_EveryGenerationSetting_InTheirOrder()
    {
        var conversation = new Conversation
        {
            ToolChoice = new ToolChoice(ToolChoiceMode.Required),
            ParallelToolCalls = false,
            MaxTokens = 100,
            Temperature = 0.5,
            TopP = 0.25,
            UserId = "u1",
            Reasoning = new ReasoningRequest { Effort = "low" },
            ResponseFormat = new ResponseFormat(null, null),
        };
        conversation.System.Add(new TextPart("one"));
        conversation.System.Add(new TextPart(string.Empty));
        conversation.System.Add(new TextPart("two"));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("hi")]));
        conversation.Tools.Add(new ToolDefinition("f", "does f", """{"type":"object"}""") { Strict = true });
        conversation.Tools.Add(new ToolDefinition("c", "does c", null) { Custom = true });
        conversation.Tools.Add(new ToolDefinition("g", null, null));
        conversation.StopSequences.Add("END");
        conversation.StopSequences.Add("STOP");

        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"system","content":"one\n\ntwo"},{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}""" +
            ""","tools":[{"type":"function","function":{"name":"f","description":"does f","parameters":{"type":"object"},"strict":true}},{"type":"custom","custom":{"name":"c","description":"does c"}},{"type":"function","function":{"name":"g"}}]""" +
            ""","tool_choice":"required","parallel_tool_calls":false,"max_tokens":100,"temperature":0.5,"top_p":0.25,"stop":["END","STOP"],"user":"u1","reasoning_effort":"low","response_format":{"type":"json_object"}}""",
            Write(conversation, stream: true, ThinkingMode.Native));
    }

    [Fact]
    public void Write_NotStreaming_NoStreamMembers_AndProviderWithoutStreamOptions_OnlyStream()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("hi")]));

        Assert.Equal("""{"model":"upstream-model","messages":[{"role":"user","content":"hi"}]}""", Write(conversation, stream: false));
        Assert.Equal("""{"model":"upstream-model","messages":[{"role":"user","content":"hi"}],"stream":true}""", Write(conversation, stream: true, streamOptions: false));
    }

    [Theory]
    [InlineData("Auto", "\"auto\"")]
    [InlineData("None", "\"none\"")]
    [InlineData("Required", "\"required\"")]
    [InlineData("Tool", """{"type":"function","function":{"name":"f"}}""")]
    public void Write_ToolChoice_EveryMode(string mode, string expected)
    {
        var conversation = new Conversation { ToolChoice = new ToolChoice(Enum.Parse<ToolChoiceMode>(mode), "f"), ParallelToolCalls = true };
        conversation.Tools.Add(new ToolDefinition("f", null, null));

        Assert.Equal($$$"""{"model":"upstream-model","messages":[],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{{{expected}}},"parallel_tool_calls":true}""", Write(conversation));
    }

    [Fact]
    public void Write_ToolsWithoutChoice_NoChoiceNorParallelMember()
    {
        var conversation = new Conversation();
        conversation.Tools.Add(new ToolDefinition("f", null, null) { Strict = false });

        Assert.Equal("""{"model":"upstream-model","messages":[],"tools":[{"type":"function","function":{"name":"f","strict":false}}]}""", Write(conversation));
    }

    // A provider's own tool is nothing an OpenAI-kind upstream can run; with no tool left the choice goes too.
    [Fact]
    public void Write_OnlyNativeTools_NoToolsNorChoice()
    {
        var conversation = new Conversation { ToolChoice = new ToolChoice(ToolChoiceMode.Required), ParallelToolCalls = false };
        conversation.Tools.Add(new ToolDefinition("web_search", null, null) { NativeJson = """{"type":"web_search_20250305"}""", NativeKind = ProviderKind.Anthropic });

        Assert.Equal("""{"model":"upstream-model","messages":[]}""", Write(conversation));
    }

    [Fact]
    public void Write_NativeToolAmongOthers_IsSkipped()
    {
        var conversation = new Conversation();
        conversation.Tools.Add(new ToolDefinition("web_search", null, null) { NativeJson = "{}" });
        conversation.Tools.Add(new ToolDefinition("c", null, null) { Custom = true });

        Assert.Equal("""{"model":"upstream-model","messages":[],"tools":[{"type":"custom","custom":{"name":"c"}}]}""", Write(conversation));
    }

    [Theory]
    [InlineData(null, null, """{"type":"json_schema","json_schema":{"name":"response","schema":{"type":"object"}}}""")]
    [InlineData("shape", true, """{"type":"json_schema","json_schema":{"name":"shape","schema":{"type":"object"},"strict":true}}""")]
    [InlineData("shape", false, """{"type":"json_schema","json_schema":{"name":"shape","schema":{"type":"object"},"strict":false}}""")]
    public void Write_JsonSchemaResponseFormat(string? name, bool? strict, string expected)
    {
        var conversation = new Conversation { ResponseFormat = new ResponseFormat("""{"type":"object"}""", name) { Strict = strict } };

        Assert.Equal($$$"""{"model":"upstream-model","messages":[],"response_format":{{{expected}}}}""", Write(conversation));
    }

    [Fact]
    public void Write_AssistantTurn_TextCallsAndName()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new TextPart("a"), new ToolCallPart("call_1", "f", """{"x":1}"""), new TextPart("b"), new ToolCallPart("call_2", "c", "raw text", Custom: true)]) { Name = "bot" });
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new TextPart(string.Empty)]));

        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"assistant","content":"a\n\nb","name":"bot","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}},{"id":"call_2","type":"custom","custom":{"name":"c","input":"raw text"}}]},""" +
            """{"role":"assistant","content":null}]}""",
            Write(conversation));
    }

    // Reasoning goes back only to the provider that produced it, and only when it names that provider.
    [Fact]
    public void Write_AssistantReasoning_OnlyThisProvidersSignedReasoning()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant,
        [
            new ReasoningPart("mine ", Opaque.From("s", ProviderKind.OpenAI, "p")),
            new ReasoningPart("unsigned", null),
            new ReasoningPart("no provider", new Opaque("s", ProviderKind.OpenAI, null)),
            new ReasoningPart("other provider", Opaque.From("s", ProviderKind.OpenAI, "q")),
            new ReasoningPart("other kind", Opaque.From("s", ProviderKind.Anthropic, "p")),
            new ReasoningPart("again", Opaque.From("s", ProviderKind.OpenAI, "p")),
            new TextPart("answer"),
        ]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Assistant, [new ReasoningPart("no provider", new Opaque("s", ProviderKind.OpenAI, null)), new TextPart("x")]));

        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"assistant","content":"answer","reasoning_content":"mine again"},{"role":"assistant","content":"x"}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_ToolResults_BecomeToolMessagesThenMediaThenTheRest()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User,
        [
            new ToolResultPart("call_1", [new TextPart("ok"), new MediaPart("image/png", "AAAA", null)], false),
            new ToolResultPart("call_2", [], true),
            new ToolResultPart("call_3", [new TextPart("bad input")], true),
            new ToolResultPart("call_4", [], false),
            new TextPart("next"),
        ]) { Name = "me" });

        Assert.Equal(
            """{"model":"upstream-model","messages":[""" +
            """{"role":"tool","tool_call_id":"call_1","content":"ok"},""" +
            """{"role":"tool","tool_call_id":"call_2","content":"The tool reported an error."},""" +
            """{"role":"tool","tool_call_id":"call_3","content":"bad input"},""" +
            """{"role":"tool","tool_call_id":"call_4","content":""},""" +
            """{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},""" +
            """{"role":"user","content":"next","name":"me"}]}""",
            Write(conversation));
    }

    // Images of every result follow together, in order, as one user message.
    [Fact]
    public void Write_MediaOfSeveralToolResults_OneUserMessage()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.Tool,
        [
            new ToolResultPart("call_1", [new MediaPart(null, null, "https://x.test/1.png")], false),
            new ToolResultPart("call_2", [new TextPart("two"), new MediaPart(null, null, "https://x.test/2.png"), new MediaPart(null, null, "https://x.test/3.png")], false),
        ]));

        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"tool","tool_call_id":"call_1","content":""},{"role":"tool","tool_call_id":"call_2","content":"two"},""" +
            """{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x.test/1.png"}},{"type":"image_url","image_url":{"url":"https://x.test/2.png"}},{"type":"image_url","image_url":{"url":"https://x.test/3.png"}}]}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_ToolTurnOfResultsOnly_NoUserMessage_ToolTurnWithText_IsAUserMessage()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.Tool, [new ToolResultPart("call_1", [new TextPart("ok")], false)]));
        conversation.Messages.Add(new ChatMessage(ChatRole.Tool, [new TextPart("said")]));
        conversation.Messages.Add(new ChatMessage(ChatRole.User, []));

        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"tool","tool_call_id":"call_1","content":"ok"},{"role":"user","content":"said"},{"role":"user","content":[]}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_UserParts_TextFilesAndImages()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User,
        [
            new TextPart("look"),
            new TextPart(string.Empty),
            new MediaPart("application/pdf", "UERG", null) { IsDocument = true },
            new MediaPart("application/pdf", null, "https://x.test/doc.pdf") { IsDocument = true },
            new MediaPart(null, null, "https://x.test/a.png") { Detail = "low" },
            new MediaPart("image/jpeg", "/9j/", null),
        ]));

        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"user","content":[{"type":"text","text":"look"},""" +
            """{"type":"file","file":{"file_data":"data:application/pdf;base64,UERG"}},""" +
            """{"type":"image_url","image_url":{"url":"https://x.test/doc.pdf"}},""" +
            """{"type":"image_url","image_url":{"url":"https://x.test/a.png","detail":"low"}},""" +
            """{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/"}}]}]}""",
            Write(conversation));
    }

    [Fact]
    public void Write_SingleNonTextPart_IsAnArray()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new MediaPart(null, null, "https://x.test/a.png")]));

        Assert.Equal("""{"model":"upstream-model","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x.test/a.png"}}]}]}""", Write(conversation));
    }

    [Fact]
    public void Write_PromptTags_BudgetPrefixesTheSystemText()
    {
        var withSystem = new Conversation { Reasoning = new ReasoningRequest { BudgetTokens = 64 } };
        withSystem.System.Add(new TextPart("Be brief."));
        var withoutSystem = new Conversation { Reasoning = new ReasoningRequest { BudgetTokens = 64 } };

        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"system","content":"<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>\nBe brief."}]}""",
            Write(withSystem, thinking: ThinkingMode.PromptTags));
        Assert.Equal(
            """{"model":"upstream-model","messages":[{"role":"system","content":"<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>"}]}""",
            Write(withoutSystem, thinking: ThinkingMode.PromptTags));
        Assert.Equal("""{"model":"upstream-model","messages":[],"reasoning_effort":"low"}""", Write(withoutSystem, thinking: ThinkingMode.Native));
    }

    [Fact]
    public void Write_Extensions_OnlyToTheirOwnFormat_AndPromptTagsConsumesTheThinkingFields()
    {
        Conversation Make(WireFormat format)
        {
            var c = new Conversation { ExtensionsFormat = format };
            c.Extensions.Add(("seed", "7"));
            c.Extensions.Add(("thinking", """{"type":"enabled"}"""));
            c.Extensions.Add(("think", "true"));
            return c;
        }

        Assert.Equal("""{"model":"upstream-model","messages":[],"seed":7,"thinking":{"type":"enabled"},"think":true}""", Write(Make(WireFormat.OpenAIChat)));
        Assert.Equal("""{"model":"upstream-model","messages":[],"seed":7,"thinking":{"type":"enabled"},"think":true}""", Write(Make(WireFormat.OpenAIChat), thinking: ThinkingMode.PromptTags));
        Assert.Equal("""{"model":"upstream-model","messages":[],"seed":7}""", Write(Make(WireFormat.OpenAIChat), thinking: ThinkingMode.PromptTags, thinkingBudget: 64));
        Assert.Equal("""{"model":"upstream-model","messages":[],"seed":7,"thinking":{"type":"enabled"},"think":true}""", Write(Make(WireFormat.OpenAIChat), thinking: ThinkingMode.Native, thinkingBudget: 64));
        Assert.Equal("""{"model":"upstream-model","messages":[]}""", Write(Make(WireFormat.AnthropicMessages)));
    }

    [Theory]
    [InlineData(ThinkingMode.Native, false, "high", null, false, "high")]
    [InlineData(ThinkingMode.Native, false, "max", null, false, "high")]
    [InlineData(ThinkingMode.Native, false, null, 4096, false, "low")]
    [InlineData(ThinkingMode.Native, false, null, 4097, false, "medium")]
    [InlineData(ThinkingMode.Native, false, null, 16385, false, "high")]
    [InlineData(ThinkingMode.Native, false, null, null, true, "medium")]
    [InlineData(ThinkingMode.Native, false, "high", null, true, "high")]
    [InlineData(ThinkingMode.Native, false, null, 100, true, "low")]
    [InlineData(ThinkingMode.Native, false, null, null, false, null)]
    [InlineData(ThinkingMode.Native, true, "high", null, false, null)]
    [InlineData(ThinkingMode.Passthrough, false, "minimal", null, false, "minimal")]
    [InlineData(ThinkingMode.Passthrough, false, "max", null, false, "high")]
    [InlineData(ThinkingMode.Passthrough, false, null, 20000, false, "high")]
    [InlineData(ThinkingMode.Passthrough, false, null, null, true, null)]
    [InlineData(ThinkingMode.PromptTags, false, "high", null, false, null)]
    [InlineData(ThinkingMode.Off, false, "high", null, true, null)]
    public void ReasoningEffort_FollowsTheThinkingMode(ThinkingMode mode, bool disabled, string? effort, int? budget, bool adaptive, string? expected)
    {
        var reasoning = new ReasoningRequest { Disabled = disabled, Effort = effort, BudgetTokens = budget, Adaptive = adaptive };

        Assert.Equal(expected, OpenAIChatRequestWriter.ReasoningEffort(reasoning, mode));
    }

    [Fact]
    public void ReasoningEffort_NoReasoning_IsNull()
    {
        Assert.Null(OpenAIChatRequestWriter.ReasoningEffort(null, ThinkingMode.Native));
    }

    [Fact]
    public void JoinText_SkipsEmptyAndNonTextParts_JoinsByBlankLines()
    {
        Assert.Null(OpenAIChatRequestWriter.JoinText([]));
        Assert.Null(OpenAIChatRequestWriter.JoinText([new TextPart(string.Empty), new MediaPart(null, null, "u")]));
        Assert.Equal("a", OpenAIChatRequestWriter.JoinText([new TextPart(string.Empty), new TextPart("a")]));
        Assert.Equal("a\n\nb\n\nc", OpenAIChatRequestWriter.JoinText([new TextPart("a"), new MediaPart(null, null, "u"), new TextPart("b"), new TextPart(string.Empty), new TextPart("c")]));
    }

    internal static RouteTarget Target(ThinkingMode thinking = ThinkingMode.Passthrough, bool streamOptions = true) =>
        new(new Provider("p", new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://upstream.test/v1", Thinking = thinking, StreamOptions = streamOptions }), "upstream-model", 1, null);

    private static string Write(Conversation conversation, bool stream = false, ThinkingMode thinking = ThinkingMode.Passthrough, bool streamOptions = true, int? thinkingBudget = null)
    {
        var request = TestRequests.Of(WireFormat.AnthropicMessages, conversation: conversation, stream: stream, hasTools: conversation.Tools.Count > 0, thinkingBudget: thinkingBudget);

        return Encoding.UTF8.GetString(OpenAIChatRequestWriter.Instance.Write(request, Target(thinking, streamOptions), stream).Span);
    }
}
