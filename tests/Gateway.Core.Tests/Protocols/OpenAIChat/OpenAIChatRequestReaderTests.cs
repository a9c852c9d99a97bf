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

    // A data: URI splits at its first comma: the media type is what precedes any ';' (octet-stream when there
    // is none), the data what follows the comma (empty without one). Anything else is a URL.
    [Theory]
    [InlineData("data:image/png;base64,AAAA", "image/png", "AAAA", null)]
    [InlineData("DATA:text/plain,hi,there", "text/plain", "hi,there", null)]
    [InlineData("data:;base64,QQ==", "application/octet-stream", "QQ==", null)]
    [InlineData("data:,QQ", "application/octet-stream", "QQ", null)]
    [InlineData("data:image/gif", "application/octet-stream", "", null)]
    [InlineData("data:image/webp;x=1;base64,Zg", "image/webp", "Zg", null)]
    [InlineData("https://img.test/data:x,y", null, null, "https://img.test/data:x,y")]
    public void Media_DataUriOrUrl(string url, string? mediaType, string? data, string? link)
    {
        var media = OpenAIChatRequestReader.Media(url);

        Assert.Equal((mediaType, data, link), (media.MediaType, media.Data, media.Url));
    }

    [Fact]
    public void Read_ContentPartKinds_TextFilesAndImages()
    {
        var conversation = AnthropicOutboundGoldenTests.Parse("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"plain"},
              {"type":"input_text","text":"in"},{"type":"output_text","text":"out"},{"type":"text"},{"type":"refusal"},
              {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE"}},{"type":"file","file":{"file_id":"f-1"}},
              {"type":"image_url","image_url":{"url":"https://i.test/x.png"}},{"type":"image_url","image_url":{"detail":"high"}},
              {"type":"image_url"},{"type":"audio","audio":{}}]},
             {"role":"tool","tool_call_id":"c9","name":"lookup","content":[{"type":"text","text":"r"}]},
             {"role":"tool","content":"orphan"}]}
            """).Conversation!;

        var parts = conversation.Messages[0].Parts;
        Assert.Equal(["plain", "in", "out", "", ""], parts.Take(5).Select(p => Assert.IsType<TextPart>(p).Text));
        var file = Assert.IsType<MediaPart>(parts[5]);
        Assert.Equal(("application/pdf", "JVBE", true), (file.MediaType, file.Data, file.IsDocument));
        var image = Assert.IsType<MediaPart>(parts[6]);
        Assert.Equal(("https://i.test/x.png", (string?)null, false), (image.Url, image.Detail, image.IsDocument));
        Assert.Equal(7, parts.Count);
        var named = Assert.IsType<ToolResultPart>(Assert.Single(conversation.Messages[1].Parts));
        Assert.Equal(("c9", (string?)null, false), (named.CallId, named.Name, named.IsError));
        var orphan = Assert.IsType<ToolResultPart>(Assert.Single(conversation.Messages[2].Parts));
        Assert.Equal((string.Empty, "orphan"), (orphan.CallId, Assert.IsType<TextPart>(Assert.Single(orphan.Parts)).Text));
    }

    [Fact]
    public void Read_Tools_FunctionBareAndCustom_OthersDropped()
    {
        var conversation = AnthropicOutboundGoldenTests.Parse("""
            {"model":"m","messages":[{"role":"user","content":"q"}],"tools":[
              {"type":"function","function":{"name":"f","description":"fd","parameters":{"type":"object"},"strict":true}},
              {"name":"bare","parameters":"not an object","strict":"yes"},
              {"type":"custom","custom":{"name":"patch","description":"cd","format":{"type":"text"}}},
              {"type":"custom","custom":{}},
              {"type":"custom","name":"flat"},
              {"type":"function","function":"f"},
              {"type":"mcp","server_label":"s"}]}
            """).Conversation!;

        Assert.Equal(
            [("f", "fd", """{"type":"object"}""", false, (bool?)true), ("bare", null, null, false, null), ("patch", "cd", null, true, null), ("", null, null, true, null)],
            conversation.Tools.Select(t => (t.Name, t.Description, t.ParametersJson, t.Custom, t.Strict)));
    }

    [Theory]
    [InlineData("\"none\"", "None", null)]
    [InlineData("\"required\"", "Required", null)]
    [InlineData("\"any\"", "Required", null)]
    [InlineData("\"auto\"", "Auto", null)]
    [InlineData("\"other\"", "Auto", null)]
    [InlineData("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}", "Tool", "f")]
    [InlineData("{\"type\":\"custom\",\"custom\":{\"name\":\"patch\"}}", "Tool", "patch")]
    [InlineData("{\"type\":\"tool\",\"name\":\"direct\"}", "Tool", "direct")]
    [InlineData("{\"function\":\"f\",\"name\":\"fallback\"}", "Tool", "fallback")]
    [InlineData("{\"custom\":[],\"name\":\"fallback\"}", "Tool", "fallback")]
    [InlineData("{\"type\":\"function\"}", "Auto", null)]
    public void Read_ToolChoice_EveryForm(string json, string mode, string? name)
    {
        var conversation = AnthropicOutboundGoldenTests.Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tool_choice\":" + json + "}").Conversation!;

        Assert.Equal(new ToolChoice(Enum.Parse<ToolChoiceMode>(mode), name), conversation.ToolChoice);
    }

    [Theory]
    [InlineData("{\"type\":\"json_object\"}", true, null, null, null)]
    [InlineData("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":{\"type\":\"object\"},\"strict\":false}}", true, "{\"type\":\"object\"}", "n", false)]
    [InlineData("{\"type\":\"json_schema\",\"json_schema\":{\"schema\":[],\"strict\":\"true\"}}", true, null, null, null)]
    [InlineData("{\"type\":\"json_schema\"}", false, null, null, null)]
    [InlineData("{\"type\":\"text\"}", false, null, null, null)]
    [InlineData("\"json_object\"", false, null, null, null)]
    public void Read_ResponseFormat(string json, bool present, string? schema, string? name, bool? strict)
    {
        var conversation = AnthropicOutboundGoldenTests.Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"response_format\":" + json + "}").Conversation!;

        Assert.Equal(present, conversation.ResponseFormat is not null);
        Assert.Equal((schema, name, strict), (conversation.ResponseFormat?.SchemaJson, conversation.ResponseFormat?.Name, conversation.ResponseFormat?.Strict));
        Assert.DoesNotContain(conversation.Extensions, e => e.Name == "response_format");
    }
}
