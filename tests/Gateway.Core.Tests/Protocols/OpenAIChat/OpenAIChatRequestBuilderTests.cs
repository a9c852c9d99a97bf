using System.Text;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>Golden request bodies: client request in, upstream body out (fixtures/openai-chat/request-*).</summary>
public sealed class OpenAIChatRequestBuilderTests
{
    [Theory]
    [InlineData("request-plain-stream", true, false)]
    [InlineData("request-legacy-functions", true, false)]
    [InlineData("request-tool-filter", true, false)]
    [InlineData("request-thinking-prompt-tags", true, true)]
    [InlineData("request-no-stream-options", false, false)]
    public void Build_MatchesGolden(string name, bool sendStreamOptions, bool promptTags)
    {
        var request = OpenAIChatStreamProcessorTests.Parse(Golden.Read($"openai-chat/{name}.json"));

        var body = OpenAIChatRequestBuilder.Build(request, "upstream-model", sendStreamOptions, promptTags);

        Golden.AssertMatches($"openai-chat/{name}.upstream.json", Encoding.UTF8.GetString(body.Span) + "\n");
    }

    [Fact]
    public void Build_PlainRequest_CopiesEveryOtherMemberByteForByte()
    {
        const string members = "\"temperature\":0.70,\"x\":{\"deep\":[1, 2 ,{\"é\":\"\\u00e9\"}]},\"messages\":[{\"role\":\"user\",\"content\":\"a\\nb\"}]";
        var request = OpenAIChatStreamProcessorTests.Parse("{\"model\":\"public\"," + members + "}");

        var body = Encoding.UTF8.GetString(OpenAIChatRequestBuilder.Build(request, "upstream-model", true, false).Span);

        Assert.Equal("{\"model\":\"upstream-model\"," + members + "}", body);
    }

    // Thinking: Off on the byte path too: a model that cannot think gets none of the fields asking it to.
    [Fact]
    public void Build_ThinkingOff_DropsEveryThinkingField()
    {
        var request = OpenAIChatStreamProcessorTests.Parse("""{"model":"public","reasoning_effort":"high","reasoning":{"effort":"high"},"thinking":{"type":"enabled","budget_tokens":100},"think":true,"temperature":1,"messages":[{"role":"user","content":"hi"}]}""");

        var body = Encoding.UTF8.GetString(OpenAIChatRequestBuilder.Build(request, "upstream-model", false, false, thinkingOff: true).Span);

        Assert.Equal("""{"model":"upstream-model","temperature":1,"messages":[{"role":"user","content":"hi"}]}""", body);
    }

    [Theory]
    [InlineData("""{"model":"p","stream":true,"stream_options":{"include_usage":false,"x":1},"messages":[{"role":"user","content":"q"}]}""", """{"model":"u","stream":true,"stream_options":{"include_usage":true,"x":1},"messages":[{"role":"user","content":"q"}]}""")]
    [InlineData("""{"model":"p","stream":true,"stream_options":null,"messages":[{"role":"user","content":"q"}]}""", """{"model":"u","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"q"}]}""")]
    [InlineData("""{"model":"p","stream":false,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"q"}]}""", """{"model":"u","stream":false,"messages":[{"role":"user","content":"q"}]}""")]
    [InlineData("""{"model":"p","messages":[{"role":"user","content":"q"}]}""", """{"model":"u","messages":[{"role":"user","content":"q"}]}""")]
    public void Build_StreamOptions_AlwaysAskUsageOnStreamsOnly(string client, string upstream)
    {
        Assert.Equal(upstream, Build(client, sendStreamOptions: true));
    }

    [Fact]
    public void Build_ProviderWithoutStreamOptions_DropsTheClients()
    {
        Assert.Equal("""{"model":"u","stream":true,"messages":[{"role":"user","content":"q"}]}""", Build("""{"model":"p","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"q"}]}""", sendStreamOptions: false));
        Assert.Equal("""{"model":"u","stream":true,"messages":[{"role":"user","content":"q"}]}""", Build("""{"model":"p","stream":true,"messages":[{"role":"user","content":"q"}]}""", sendStreamOptions: false));
    }

    [Fact]
    public void Build_StreamAskedByAcceptHeader_SetsStreamTrue()
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes("""{"model":"p","messages":[{"role":"user","content":"q"}]}"""), true, out var request, out _));

        var body = Encoding.UTF8.GetString(OpenAIChatRequestBuilder.Build(request!, "u", false, false).Span);

        Assert.Equal("""{"model":"u","messages":[{"role":"user","content":"q"}],"stream":true}""", body);
    }

    [Theory]
    [InlineData("""[{"type":"mcp","server_label":"x"}]""")]
    [InlineData("""[{"type":"web_search"},{"type":"file_search"}]""")]
    [InlineData("""[]""")]
    public void Build_NoSupportedToolLeft_DropsToolsToolChoiceAndParallelCalls(string tools)
    {
        var body = Build($$$"""{"model":"p","tool_choice":"required","parallel_tool_calls":true,"tools":{{{tools}}},"messages":[{"role":"user","content":"q"}]}""");

        Assert.Equal(tools == "[]" ? $$$"""{"model":"u","tool_choice":"required","parallel_tool_calls":true,"tools":{{{tools}}},"messages":[{"role":"user","content":"q"}]}""" : """{"model":"u","messages":[{"role":"user","content":"q"}]}""", body);
    }

    [Theory]
    [InlineData("""[{"type":"function","function":{"name":"f"}},{"type":"custom","custom":{"name":"c"}}]""")]
    public void Build_SupportedToolsOnly_AreCopiedAsTheyAre(string tools)
    {
        var client = $$$"""{"model":"p","tools":{{{tools}}},"messages":[{"role":"user","content":"q"}]}""";

        Assert.Equal(client.Replace("\"p\"", "\"u\"", StringComparison.Ordinal), Build(client));
    }

    [Theory]
    [InlineData("""{"type":"function","function":{"name":"f"}},{"name":"f2","parameters":{}}""", """{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f2","parameters":{}}}""")]
    [InlineData("""{"type":"function","function":{"name":"f"}},{"type":"web_search"}""", """{"type":"function","function":{"name":"f"}}""")]
    [InlineData("""{"function":{"name":"f"}},{"type":"custom","custom":{"name":"c"}}""", """{"type":"custom","custom":{"name":"c"}}""")]
    public void Build_ToolsToFilter_KeepFunctionAndCustomAndWrapBareDefinitions(string tools, string kept)
    {
        var body = Build($$$"""{"model":"p","tools":[{{{tools}}}],"messages":[{"role":"user","content":"q"}]}""");

        Assert.Equal($$$"""{"model":"u","tools":[{{{kept}}}],"messages":[{"role":"user","content":"q"}]}""", body);
    }

    [Theory]
    [InlineData("\"none\"", "\"none\"")]
    [InlineData("\"auto\"", "\"auto\"")]
    [InlineData("""{"name":"f"}""", """{"type":"function","function":{"name":"f"}}""")]
    public void Build_LegacyFunctionCall_BecomesToolChoice(string functionCall, string toolChoice)
    {
        var body = Build($$$"""{"model":"p","functions":[{"name":"f"}],"function_call":{{{functionCall}}},"messages":[{"role":"user","content":"q"}]}""");

        Assert.Equal($$$"""{"model":"u","messages":[{"role":"user","content":"q"}],"tool_choice":{{{toolChoice}}},"parallel_tool_calls":false,"tools":[{"type":"function","function":{"name":"f"}}]}""", body);
    }

    [Fact]
    public void Build_LegacyFunctionCallWithoutName_IsDropped()
    {
        var body = Build("""{"model":"p","functions":[{"name":"f"}],"function_call":{"arguments":"{}"},"messages":[{"role":"user","content":"q"}]}""");

        Assert.Equal("""{"model":"u","messages":[{"role":"user","content":"q"}],"parallel_tool_calls":false,"tools":[{"type":"function","function":{"name":"f"}}]}""", body);
    }

    [Fact]
    public void Build_LegacyHistory_BecomesToolCallsAndToolResults()
    {
        var body = Build("""
            {"model":"p","functions":[{"name":"f"}],"messages":[
            {"role":"assistant","function_call":{"name":"f","arguments":{"a":1}}},
            {"role":"function","name":"f","content":"ok"},
            {"role":"assistant","function_call":{"name":"g"}},
            {"role":"function","name":"g"},
            {"role":"function","name":"h","content":"orphan"},
            {"role":"user","function_call":{"name":"not an assistant"}}
            ]}
            """.ReplaceLineEndings(string.Empty));

        Assert.Equal(
            """{"model":"u","messages":[""" +
            """{"role":"assistant","tool_calls":[{"id":"call_legacy_0","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},""" +
            """{"role":"tool","tool_call_id":"call_legacy_0","content":"ok"},""" +
            """{"role":"assistant","tool_calls":[{"id":"call_legacy_2","type":"function","function":{"name":"g","arguments":"{}"}}]},""" +
            """{"role":"tool","tool_call_id":"call_legacy_2","content":""},""" +
            """{"role":"tool","tool_call_id":"call_legacy_4","content":"orphan"},""" +
            """{"role":"user","function_call":{"name":"not an assistant"}}],"parallel_tool_calls":false,"tools":[{"type":"function","function":{"name":"f"}}]}""",
            body);
    }

    [Theory]
    [InlineData("""[{"role":"system","content":"Be brief."},{"role":"user","content":"q"}]""", """[{"role":"system","content":"<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>\nBe brief."},{"role":"user","content":"q"}]""")]
    [InlineData("""[{"role":"user","content":"q"},{"role":"system","content":null}]""", """[{"role":"user","content":"q"},{"role":"system","content":"<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>"}]""")]
    [InlineData("""[{"role":"developer","content":"d"}]""", """[{"role":"system","content":"<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>"},{"role":"developer","content":"d"}]""")]
    public void Build_PromptTagsThinking_PrefixesTheFirstSystemMessageOrAddsOne(string messages, string expected)
    {
        var body = Build($$$"""{"model":"p","think":true,"thinking":{"type":"enabled","budget_tokens":64},"messages":{{{messages}}}}""", promptTags: true);

        Assert.Equal($$$"""{"model":"u","messages":{{{expected}}}}""", body);
    }

    [Fact]
    public void Build_ThinkingToAPassthroughProvider_IsSentAsIs()
    {
        const string client = """{"model":"p","thinking":{"type":"enabled","budget_tokens":64},"messages":[{"role":"user","content":"q"}]}""";

        Assert.Equal(client.Replace("\"p\"", "\"u\"", StringComparison.Ordinal), Build(client, promptTags: false));
    }

    private static string Build(string client, bool sendStreamOptions = true, bool promptTags = false) =>
        Encoding.UTF8.GetString(OpenAIChatRequestBuilder.Build(OpenAIChatStreamProcessorTests.Parse(client), "u", sendStreamOptions, promptTags).Span);
}
