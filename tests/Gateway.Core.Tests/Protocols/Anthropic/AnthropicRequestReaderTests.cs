using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Anthropic;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>An Anthropic Messages body read into the neutral conversation (for targets of another kind).</summary>
public sealed class AnthropicRequestReaderTests
{
    private const string User = """{"role":"user","content":"q"}""";

    [Fact]
    public void Read_EveryConsumedMemberIsLeftOutOfTheExtensions_OthersKeptInOrder()
    {
        var conversation = Read("""
            {"a":1,"model":"m","messages":[],"system":"s","stream":true,"tools":[],"tool_choice":{"type":"auto"},"max_tokens":5,
             "temperature":0.5,"top_p":0.9,"top_k":3,"stop_sequences":[],"metadata":{},"thinking":{"type":"disabled"},
             "output_config":{},"b":{"x":[1, 2]}}
            """);

        Assert.Equal(WireFormat.AnthropicMessages, conversation.ExtensionsFormat);
        Assert.Equal([("a", "1"), ("b", """{"x":[1, 2]}""")], conversation.Extensions);
    }

    [Fact]
    public void Read_SystemAsStringOrBlocks()
    {
        Assert.Equal(["text:s"], Describe(Read("""{"model":"m","system":"s","messages":[]}""").System));
        Assert.Equal(
            ["text:a", """text:b+cache:{"type":"ephemeral"}"""],
            Describe(Read("""{"model":"m","system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],"messages":[]}""").System));
        Assert.Empty(Read("""{"model":"m","messages":[]}""").System);
    }

    [Fact]
    public void Read_MessagesKeepTheirRoleAndContent_UnknownOrMissingRoleIsUser()
    {
        var conversation = Read("""
            {"model":"m","messages":[{"role":"user","content":"u"},{"role":"assistant","content":[{"type":"text","text":"a"}]},
              {"role":"system","content":"s"},{"role":"tool","content":"t"},{"content":"n"},{"role":"user"}]}
            """);

        Assert.Equal(
            ["user:text:u", "assistant:text:a", "system:text:s", "user:text:t", "user:text:n", "user:"],
            conversation.Messages.Select(m => m.Role + ":" + string.Join(",", Describe(m.Parts))));
    }

    [Fact]
    public void Read_MessagesThatAreNotAnArray_NoMessages()
    {
        Assert.Empty(Read("""{"model":"m","messages":{"role":"user","content":"q"}}""").Messages);
        Assert.Empty(Read("""{"model":"m"}""").Messages);
    }

    [Theory]
    [InlineData("""{"type":"any"}""", "Required", null, null)]
    [InlineData("""{"type":"none"}""", "None", null, null)]
    [InlineData("""{"type":"auto"}""", "Auto", null, null)]
    [InlineData("""{"type":"tool","name":"f"}""", "Tool", "f", null)]
    [InlineData("""{"type":"tool"}""", "Auto", null, null)]
    [InlineData("""{}""", "Auto", null, null)]
    [InlineData("""{"type":"auto","disable_parallel_tool_use":true}""", "Auto", null, false)]
    [InlineData("""{"type":"any","disable_parallel_tool_use":false}""", "Required", null, null)]
    [InlineData("""{"type":"any","disable_parallel_tool_use":"true"}""", "Required", null, null)]
    public void Read_ToolChoice(string choice, string mode, string? name, bool? parallel)
    {
        var conversation = Read("""{"model":"m","messages":[],"tool_choice":""" + choice + "}");

        Assert.Equal(new ToolChoice(Enum.Parse<ToolChoiceMode>(mode), name), conversation.ToolChoice);
        Assert.Equal(parallel, conversation.ParallelToolCalls);
    }

    [Fact]
    public void Read_ToolChoiceThatIsNotAnObject_IsNone()
    {
        var conversation = Read("""{"model":"m","messages":[],"tool_choice":"any"}""");

        Assert.Null(conversation.ToolChoice);
        Assert.Null(conversation.ParallelToolCalls);
    }

    [Fact]
    public void Read_SamplingStopsAndUser()
    {
        var conversation = Read("""{"model":"m","messages":[],"max_tokens":77,"temperature":0.25,"top_p":0.5,"top_k":4,"stop_sequences":["a",1,"b",null],"metadata":{"user_id":"u1"}}""");

        Assert.Equal(77, conversation.MaxTokens);
        Assert.Equal(0.25, conversation.Temperature);
        Assert.Equal(0.5, conversation.TopP);
        Assert.Equal(4, conversation.TopK);
        Assert.Equal(["a", "b"], conversation.StopSequences);
        Assert.Equal("u1", conversation.UserId);
    }

    [Fact]
    public void Read_NoSamplingFields_AllNull()
    {
        var conversation = Read("""{"model":"m","messages":[],"stop_sequences":"x","metadata":"u"}""");

        Assert.Null(conversation.MaxTokens);
        Assert.Null(conversation.Temperature);
        Assert.Null(conversation.TopP);
        Assert.Null(conversation.TopK);
        Assert.Empty(conversation.StopSequences);
        Assert.Null(conversation.UserId);
        Assert.Null(conversation.Reasoning);
        Assert.Null(conversation.ResponseFormat);
        Assert.Null(conversation.ToolChoice);
        Assert.Empty(conversation.Tools);
    }

    [Theory]
    [InlineData(""" "thinking":{"type":"disabled"},"output_config":{"effort":"high"} """, true, null, null, false, null)]
    [InlineData(""" "thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"low"} """, false, "low", null, true, "omitted")]
    [InlineData(""" "thinking":{"type":"adaptive"} """, false, null, null, true, null)]
    [InlineData(""" "thinking":{"type":"enabled","budget_tokens":2048,"display":"summarized"},"output_config":{"effort":"max"} """, false, "max", 2048, false, "summarized")]
    [InlineData(""" "thinking":{"type":"enabled"} """, false, null, null, false, null)]
    [InlineData(""" "thinking":{"type":"other"},"output_config":{"effort":"medium"} """, false, "medium", null, false, null)]
    [InlineData(""" "output_config":{"effort":"medium"} """, false, "medium", null, false, null)]
    [InlineData(""" "thinking":null,"output_config":{"effort":"high"} """, false, "high", null, false, null)]
    public void Read_Reasoning(string members, bool disabled, string? effort, int? budget, bool adaptive, string? display)
    {
        var conversation = Read("""{"model":"m","messages":[],""" + members + "}");

        Assert.Equal(new ReasoningRequest { Disabled = disabled, Effort = effort, BudgetTokens = budget, Adaptive = adaptive, Display = display }, conversation.Reasoning);
    }

    [Theory]
    [InlineData(""" "thinking":{"type":"other"} """)]
    [InlineData(""" "thinking":{"type":"other"},"output_config":{"format":{"type":"json_schema"}} """)]
    [InlineData(""" "output_config":"high" """)]
    [InlineData(""" "output_config":{"effort":1} """)]
    public void Read_NoReasoningAsked_IsNull(string members)
    {
        Assert.Null(Read("""{"model":"m","messages":[],""" + members + "}").Reasoning);
    }

    [Theory]
    [InlineData("""{"format":{"type":"json_schema","schema":{"type":"object"}}}""", """{"type":"object"}""")]
    [InlineData("""{"format":{"type":"json_schema","schema":"x"}}""", null)]
    [InlineData("""{"format":{"type":"json_schema"}}""", null)]
    public void Read_JsonSchemaFormat(string config, string? schema)
    {
        Assert.Equal(new ResponseFormat(schema, null), Read("""{"model":"m","messages":[],"output_config":""" + config + "}").ResponseFormat);
    }

    [Theory]
    [InlineData("""{"format":{"type":"text","schema":{}}}""")]
    [InlineData("""{"format":"json_schema"}""")]
    [InlineData("""{"effort":"low"}""")]
    [InlineData("\"x\"")]
    public void Read_NoJsonSchemaFormat_NoResponseFormat(string config)
    {
        Assert.Null(Read("""{"model":"m","messages":[],"output_config":""" + config + "}").ResponseFormat);
    }

    [Fact]
    public void Read_TextImageAndDocumentBlocks()
    {
        var parts = Blocks("""
            [{"type":"text","text":"t"},{"type":"text"},
             {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"QUJD"}},
             {"type":"image","source":{"type":"url","url":"https://x/i.png"}},
             {"type":"image","source":{"type":"text","data":"no"}},
             {"type":"image","source":{"type":"file","file_id":"f"}},
             {"type":"image","source":"https://x"},
             {"type":"image"},
             {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"UERG"}},
             {"type":"document","source":{"type":"url","url":"https://x/d.pdf"}},
             {"type":"document","source":{"type":"text","data":"héllo"}},
             {"type":"document","source":{"type":"text"}}]
            """);

        Assert.Equal(
            [
                "text:t", "text:",
                "media:image/jpeg|QUJD||doc=False",
                "media:||https://x/i.png|doc=False",
                "media:application/pdf|UERG||doc=True",
                "media:||https://x/d.pdf|doc=True",
                "media:text/plain|" + Convert.ToBase64String(Encoding.UTF8.GetBytes("héllo")) + "||doc=True",
                "media:text/plain|||doc=True",
            ],
            parts);
    }

    [Fact]
    public void Read_ToolUseAndToolResultBlocks()
    {
        var parts = Blocks("""
            [{"type":"tool_use","id":"toolu_1","name":"f","input":{"a": 1}},
             {"type":"tool_use","id":"toolu_2","name":"g","input":null},
             {"type":"tool_use"},
             {"type":"tool_use","id":"toolu_3","name":"h","input":[1]},
             {"type":"tool_result","tool_use_id":"toolu_1","content":"ok"},
             {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"a"},{"type":"image","source":{"type":"url","url":"u"}}],"is_error":true},
             {"type":"tool_result","is_error":"true"},
             {"type":"tool_result","tool_use_id":"toolu_3","content":null,"is_error":false}]
            """);

        Assert.Equal(
            [
                """call:toolu_1|f|{"a": 1}""",
                "call:toolu_2|g|{}",
                "call:||{}",
                "call:toolu_3|h|[1]",
                "result:toolu_1|error=False|[text:ok]",
                "result:toolu_2|error=True|[text:a;media:||u|doc=False]",
                "result:|error=False|[]",
                "result:toolu_3|error=False|[]",
            ],
            parts);
    }

    [Fact]
    public void Read_ThinkingAndRedactedBlocks_BecomeOriginTaggedOpaqueValues()
    {
        var parts = Blocks("""
            [{"type":"thinking","thinking":"t","signature":"SIG"},
             {"type":"thinking","thinking":"u","signature":"gw1~a1234abcd~OWN"},
             {"type":"thinking","thinking":"v","signature":""},
             {"type":"thinking"},
             {"type":"redacted_thinking","data":"RED"},
             {"type":"redacted_thinking","data":"gw1~o9999~X"},
             {"type":"redacted_thinking","data":""},
             {"type":"redacted_thinking"},
             {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}},
             {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]},
             {"text":"no type"},
             "text",
             5]
            """);

        Assert.Equal(
            [
                "thinking:t|SIG|Anthropic|",
                "thinking:u|OWN|Anthropic|1234abcd",
                "thinking:v|null",
                "thinking:|null",
                "redacted:RED|Anthropic|",
                "redacted:X|OpenAI|9999",
            ],
            parts);
    }

    [Fact]
    public void Read_CacheControlObjectOnABlockIsKept_OtherValuesIgnored()
    {
        var parts = Blocks("""
            [{"type":"text","text":"a","cache_control":{"type":"ephemeral","ttl":"1h"}},
             {"type":"text","text":"b","cache_control":"ephemeral"},
             {"type":"tool_use","id":"i","name":"n","input":{},"cache_control":{"type":"ephemeral"}},
             {"type":"server_tool_use","cache_control":{"type":"ephemeral"}}]
            """);

        Assert.Equal(["""text:a+cache:{"type":"ephemeral","ttl":"1h"}""", "text:b", """call:i|n|{}+cache:{"type":"ephemeral"}"""], parts);
    }

    [Fact]
    public void ReadBlocks_NeitherStringNorArray_IsEmpty()
    {
        using var document = JsonDocument.Parse("""[5,null,{"type":"text","text":"x"}]""");

        Assert.Empty(AnthropicRequestReader.ReadBlocks(document.RootElement[0]));
        Assert.Empty(AnthropicRequestReader.ReadBlocks(document.RootElement[1]));
        Assert.Empty(AnthropicRequestReader.ReadBlocks(document.RootElement[2]));
        Assert.Equal(["text:x"], Describe(AnthropicRequestReader.ReadBlocks(document.RootElement)));
    }

    [Fact]
    public void Read_Tools_FunctionToolsAreDefinitions_AnthropicsOwnToolsStayNative()
    {
        const string search = """{"type":"web_search_20250305","name":"web_search","max_uses":5}""";
        var conversation = Read(
            """{"model":"m","messages":[],"tools":[{"name":"f","description":"d","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}},"""
            + """{"type":"custom","name":"g","input_schema":"x","cache_control":"no"},{},1,""" + search + ","
            + """{"type":"bash_20250124","cache_control":{"type":"ephemeral"}}]}""");

        Assert.Equal(
            [
                new ToolDefinition("f", "d", """{"type":"object"}""") { CacheControl = """{"type":"ephemeral"}""" },
                new ToolDefinition("g", null, null),
                new ToolDefinition(string.Empty, null, null),
                new ToolDefinition("web_search", null, null) { NativeJson = search, NativeKind = ProviderKind.Anthropic },
                new ToolDefinition(string.Empty, null, null) { NativeJson = """{"type":"bash_20250124","cache_control":{"type":"ephemeral"}}""", NativeKind = ProviderKind.Anthropic, CacheControl = """{"type":"ephemeral"}""" },
            ],
            conversation.Tools);
    }

    [Fact]
    public void Read_ToolsThatAreNotAnArray_NoTools()
    {
        Assert.Empty(Read("""{"model":"m","messages":[],"tools":{"name":"f"}}""").Tools);
    }

    // The body as an index, without the parser's checks: the reader reads leniently what the parser let through.
    private static Conversation Read(string json)
    {
        return AnthropicRequestReader.Read(TestRequests.Of(WireFormat.AnthropicMessages, json));
    }

    private static List<string> Blocks(string content) =>
        Describe(Read("""{"model":"m","messages":[{"role":"user","content":""" + content + "}]}").Messages.Single().Parts);

    internal static List<string> Describe(IEnumerable<ContentPart> parts) => [.. parts.Select(Describe)];

    internal static string Describe(ContentPart part)
    {
        var text = part switch
        {
            TextPart t => "text:" + t.Text,
            MediaPart m => $"media:{m.MediaType}|{m.Data}|{m.Url}|doc={m.IsDocument}",
            ToolCallPart c => $"call:{c.Id}|{c.Name}|{c.Arguments}",
            ToolResultPart r => $"result:{r.CallId}|error={r.IsError}|[{string.Join(";", r.Parts.Select(Describe))}]",
            ReasoningPart { Signature: { } s } r => $"thinking:{r.Text}|{s.Value}|{s.Kind}|{s.Provider}",
            ReasoningPart r => $"thinking:{r.Text}|null",
            RedactedReasoningPart d => $"redacted:{d.Data.Value}|{d.Data.Kind}|{d.Data.Provider}",
            _ => part.GetType().Name,
        };
        return part.CacheControl is { } cache ? text + "+cache:" + cache : text;
    }
}
