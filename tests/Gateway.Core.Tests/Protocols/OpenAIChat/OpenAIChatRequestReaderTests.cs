using Gateway.Chat;
using Gateway.Protocols.OpenAIChat;
using Gateway.Tests.Protocols.Anthropic;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>An OpenAI Chat Completions body read into the neutral conversation, member by member.</summary>
public sealed class OpenAIChatRequestReaderTests
{
    [Fact]
    public void Read_EveryMessageShape_LandsInItsNeutralPart()
    {
        var conversation = AnthropicOutboundGoldenTests.Parse("""
            {"model":"m","user":"u-1","parallel_tool_calls":false,"max_tokens":5,"max_completion_tokens":7,"temperature":0.5,"top_p":0.9,
             "stop":["a",1,"b"],"reasoning_effort":"high","metadata":{"k":"v"},
             "messages":[
              {"role":"system","content":"be brief"},
              {"role":"developer","content":[{"type":"text","text":"dev note"}]},
              {"role":"user","name":"ann","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"https://img.test/a.png","detail":"low"}},
                {"type":"image_url","image_url":"data:image/png;base64,AAAA"},{"type":"refusal","refusal":"no"}]},
              {"role":"assistant","name":"bot","reasoning_content":"thinking","content":"calling","tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"read","arguments":"{\"p\":1}"},"extra_content":{"google":{"thought_signature":"c2ln"}}},
                {"id":"call_2","type":"custom","custom":{"name":"patch","input":"*** diff"}},
                {"id":"call_3","type":"function","function":{"name":"obj","arguments":{"x":2}}},
                {"id":"call_4","type":"function","function":{"name":"none","arguments":null}},
                7]},
              {"role":"tool","tool_call_id":"call_1","content":"result one"},
              {"role":"assistant","reasoning":"other field","content":null},
              {"role":"critic","content":"odd role"}]}
            """).Conversation!;

        Assert.Equal(["be brief", "dev note"], conversation.System.Cast<TextPart>().Select(p => p.Text));
        Assert.Equal(false, conversation.ParallelToolCalls);
        Assert.Equal(7, conversation.MaxTokens);
        Assert.Equal(0.5, conversation.Temperature);
        Assert.Equal(0.9, conversation.TopP);
        Assert.Equal(["a", "b"], conversation.StopSequences);
        Assert.Equal("u-1", conversation.UserId);
        Assert.Equal("high", conversation.Reasoning!.Effort);
        Assert.False(conversation.Reasoning.Disabled);
        Assert.Contains(conversation.Extensions, e => e.Name == "metadata" && e.Json == """{"k":"v"}""");
        Assert.DoesNotContain(conversation.Extensions, e => e.Name is "user" or "stop" or "reasoning_effort" or "max_tokens");
        Assert.Equal(5, conversation.Messages.Count);

        var user = conversation.Messages[0];
        Assert.Equal(ChatRole.User, user.Role);
        Assert.Equal("ann", user.Name);
        Assert.Equal(4, user.Parts.Count);
        Assert.Equal("look", Assert.IsType<TextPart>(user.Parts[0]).Text);
        var url = Assert.IsType<MediaPart>(user.Parts[1]);
        Assert.Equal(("https://img.test/a.png", "low", (string?)null), (url.Url, url.Detail, url.Data));
        var inline = Assert.IsType<MediaPart>(user.Parts[2]);
        Assert.Equal(("image/png", "AAAA", (string?)null, (string?)null), (inline.MediaType, inline.Data, inline.Url, inline.Detail));
        Assert.Equal("no", Assert.IsType<TextPart>(user.Parts[3]).Text);

        var assistant = conversation.Messages[1];
        Assert.Equal(ChatRole.Assistant, assistant.Role);
        Assert.Equal("bot", assistant.Name);
        Assert.Equal("thinking", Assert.IsType<ReasoningPart>(assistant.Parts[0]).Text);
        Assert.Equal("calling", Assert.IsType<TextPart>(assistant.Parts[1]).Text);
        var calls = assistant.Parts.OfType<ToolCallPart>().ToList();
        Assert.Equal(
            [("call_1", "read", """{"p":1}""", false), ("call_2", "patch", "*** diff", true), ("call_3", "obj", """{"x":2}""", false), ("call_4", "none", "", false)],
            calls.Select(c => (c.Id, c.Name, c.Arguments, c.Custom)));
        Assert.Equal("c2ln", calls[0].Signature!.Value);
        Assert.Null(calls[1].Signature);

        var result = Assert.IsType<ToolResultPart>(Assert.Single(conversation.Messages[2].Parts));
        Assert.Equal(ChatRole.Tool, conversation.Messages[2].Role);
        Assert.Equal(("call_1", false), (result.CallId, result.IsError));
        Assert.Equal("result one", Assert.IsType<TextPart>(Assert.Single(result.Parts)).Text);

        Assert.Equal("other field", Assert.IsType<ReasoningPart>(Assert.Single(conversation.Messages[3].Parts)).Text);
        Assert.Equal(new ChatRole("critic"), conversation.Messages[4].Role);
        Assert.Equal("odd role", Assert.IsType<TextPart>(Assert.Single(conversation.Messages[4].Parts)).Text);
    }

    [Fact]
    public void Read_LegacyFunctions_BecomeToolsAndCallsWithMatchingSynthesizedIds()
    {
        var conversation = AnthropicOutboundGoldenTests.Parse("""
            {"model":"m","parallel_tool_calls":true,"max_tokens":9,"stop":"end","reasoning_effort":"none",
             "functions":[{"name":"f","description":"d","parameters":{"type":"object"}}],
             "messages":[{"role":"user","content":"q"},
              {"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}},
              {"role":"function","name":"f","content":"r"}]}
            """).Conversation!;

        Assert.Equal(false, conversation.ParallelToolCalls);
        Assert.Equal(9, conversation.MaxTokens);
        Assert.Equal(["end"], conversation.StopSequences);
        Assert.True(conversation.Reasoning!.Disabled);
        Assert.Null(conversation.Reasoning.Effort);
        Assert.Equal("f", Assert.Single(conversation.Tools).Name);
        var call = Assert.IsType<ToolCallPart>(Assert.Single(conversation.Messages[1].Parts));
        Assert.Equal(("call_legacy_1", "f", "{}"), (call.Id, call.Name, call.Arguments));
        var result = Assert.IsType<ToolResultPart>(Assert.Single(conversation.Messages[2].Parts));
        Assert.Equal(("call_legacy_1", "f"), (result.CallId, result.Name));
        Assert.Equal("r", Assert.IsType<TextPart>(Assert.Single(result.Parts)).Text);
    }
}
