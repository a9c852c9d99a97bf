using Gateway.Chat;
using Gateway.Protocols.OpenAIResponses;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIResponses;

/// <summary>
/// A Responses body read into the neutral conversation: system text, input items in order (messages,
/// reasoning, tool calls and their outputs), tools (namespaces flattened), tool choice and the settings.
/// </summary>
public sealed class ResponsesRequestReaderTests
{
    private static readonly string Hash = Opaque.ProviderHash("p");

    // ---- System text and messages ----

    [Fact]
    public void Read_InstructionsAndLeadingSystemMessages_AreSystemText_LaterOnesStayInPlace()
    {
        var conversation = Read("""
            {"instructions":"be brief","input":[
              {"role":"system","content":"s1"},
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"d1"}]},
              {"role":"user","content":"q1"},
              {"role":"developer","content":"d2"},
              {"role":"assistant","content":"a1"},
              {"role":"system","content":"s2"},
              {"role":"assistant","content":"a2"}]}
            """);

        Assert.Equal("text(be brief) text(s1) text(d1)", Parts(conversation.System));
        Assert.Equal(
            """
            user: text(q1)
            system: text(d2)
            assistant: text(a1)
            system: text(s2)
            assistant: text(a2)
            """,
            Messages(conversation));
    }

    [Theory]
    [InlineData("""{"instructions":"","input":"hi"}""")]
    [InlineData("""{"instructions":null,"input":"hi"}""")]
    [InlineData("""{"input":"hi"}""")]
    public void Read_NoOrEmptyInstructions_NoSystemText(string body)
    {
        var conversation = Read(body);

        Assert.Empty(conversation.System);
        Assert.Equal("user: text(hi)", Messages(conversation));
    }

    [Theory]
    [InlineData("""{"input":5}""")]
    [InlineData("""{"model":"m"}""")]
    public void Read_InputNeitherStringNorArray_NoMessages(string body)
    {
        Assert.Empty(Read(body).Messages);
    }

    [Fact]
    public void Read_ItemsWithoutTypeOrRole_AreUserMessages_NonObjectsAndUnknownItemsAreSkipped()
    {
        var conversation = Read("""
            {"input":["x",{"content":"plain"},{"type":"message","content":"typed"},{"type":"web_search_call","id":"ws_1"},
              {"type":"item_reference","id":"msg_1"},{"type":"compaction","encrypted_content":"e"},{"role":"user"},5]}
            """);

        Assert.Equal(
            """
            user: text(plain)
            user: text(typed)
            user:
            """,
            Messages(conversation));
    }

    [Fact]
    public void Read_AssistantItemsInARow_AreOneAssistantMessage_UserOrOutputStartsANewOne()
    {
        var conversation = Read("""
            {"input":[
              {"role":"user","content":"go"},
              {"type":"reasoning","summary":[{"type":"summary_text","text":"plan"}]},
              {"role":"assistant","content":[{"type":"output_text","text":"calling"}]},
              {"type":"function_call","call_id":"c1","name":"f","arguments":"{\"a\":1}"},
              {"type":"custom_tool_call","call_id":"c2","name":"apply_patch","input":"*** Begin"},
              {"type":"function_call_output","call_id":"c1","output":"r1"},
              {"type":"custom_tool_call_output","call_id":"c2","output":[{"type":"input_text","text":"r2"}]},
              {"type":"function_call","call_id":"c3","name":"f"},
              {"type":"function_call_output","call_id":"c3"},
              {"role":"user","content":"more"},
              {"role":"assistant","content":"done"}]}
            """);

        Assert.Equal(
            """
            user: text(go)
            assistant: reasoning(plan, -) text(calling) call(c1, f, {"a":1}) custom(c2, apply_patch, *** Begin)
            tool: result(c1, [text(r1)]) result(c2, [text(r2)])
            assistant: call(c3, f, {})
            tool: result(c3, [])
            user: text(more)
            assistant: text(done)
            """,
            Messages(conversation));
    }

    [Fact]
    public void Read_ToolOutputAfterAUserMessage_IsANewToolMessage()
    {
        var conversation = Read("""{"input":[{"type":"function_call_output","call_id":"c1","output":"r1"},{"role":"user","content":"q"},{"type":"function_call_output","call_id":"c2","output":"r2"}]}""");

        Assert.Equal(
            """
            tool: result(c1, [text(r1)])
            user: text(q)
            tool: result(c2, [text(r2)])
            """,
            Messages(conversation));
    }

    [Fact]
    public void Read_UserMessageBetweenAssistantItems_SplitsThem()
    {
        var conversation = Read("""{"input":[{"role":"assistant","content":"a1"},{"role":"user","content":"q"},{"role":"assistant","content":"a2"},{"type":"function_call","call_id":"c","name":"f"}]}""");

        Assert.Equal(
            """
            assistant: text(a1)
            user: text(q)
            assistant: text(a2) call(c, f, {})
            """,
            Messages(conversation));
    }

    [Theory]
    [InlineData("\"arguments\":\"\"", "{}")]
    [InlineData("\"arguments\":\"  \"", "{}")]
    [InlineData("\"arguments\":5", "{}")]
    [InlineData("\"arguments\":\" {} \"", " {} ")]
    public void Read_FunctionCallWithoutArguments_HasAnEmptyObject(string arguments, string expected)
    {
        var conversation = Read("{\"input\":[{\"type\":\"function_call\",\"name\":\"f\"," + arguments + "}]}");

        Assert.Equal("assistant: call(, f, " + expected + ")", Messages(conversation));
    }

    [Fact]
    public void Read_CallsWithoutNames_HaveEmptyOnes()
    {
        var conversation = Read("""{"input":[{"type":"custom_tool_call"},{"type":"function_call","namespace":"","call_id":"c"}]}""");

        Assert.Equal("assistant: custom(, , ) call(c, , {})", Messages(conversation));
    }

    [Fact]
    public void Read_NamespacedFunctionCall_IsNamedByItsFlattenedName()
    {
        var conversation = Read("""{"input":[{"type":"function_call","call_id":"c","namespace":"multi_agent_v1","name":"spawn_agent","arguments":"{}"}]}""");

        Assert.Equal("assistant: call(c, multi_agent_v1__spawn_agent, {})", Messages(conversation));
    }

    [Fact]
    public void Read_NamespacedCustomToolCall_IsNamedByItsFlattenedName()
    {
        var conversation = Read("""{"input":[{"type":"custom_tool_call","call_id":"c","namespace":"agents","name":"note","input":"x"},{"type":"custom_tool_call","call_id":"d","namespace":"","name":"plain","input":"y"}]}""");

        Assert.Equal("assistant: custom(c, agents__note, x) custom(d, plain, y)", Messages(conversation));
    }

    // ---- Reasoning ----

    [Fact]
    public void Read_Reasoning_SummaryFirstThenContent_AndTheOriginOfItsEncryptedContent()
    {
        var conversation = Read("{\"input\":["
            + "{\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"a\"},{\"type\":\"summary_text\"},{\"type\":\"summary_text\",\"text\":\"b\"}],\"content\":[{\"type\":\"reasoning_text\",\"text\":\"raw\"}]},"
            + "{\"type\":\"reasoning\",\"summary\":[],\"content\":[{\"type\":\"reasoning_text\",\"text\":\"raw\"}],\"encrypted_content\":\"gAAAA\"},"
            + "{\"type\":\"reasoning\",\"summary\":{},\"encrypted_content\":\"gw1~a" + Hash + "~SIG\"},"
            + "{\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"t\"}],\"encrypted_content\":\"\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"gw1~a" + Hash + "~redacted_thinking:DATA\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"redacted_thinking:X\"}]}");

        Assert.Equal(
            "assistant: reasoning(ab, -) reasoning(raw, OpenAI/-/gAAAA) reasoning(, Anthropic/" + Hash + "/SIG) reasoning(t, -)"
            + " redacted(Anthropic/" + Hash + "/DATA) redacted(OpenAI/-/X)",
            Messages(conversation));
    }

    [Fact]
    public void Read_ReasoningWithNothingInIt_IsSkippedAndIsNoTurn()
    {
        var conversation = Read("""{"input":[{"type":"reasoning","summary":[],"encrypted_content":""},{"role":"developer","content":"d"},{"role":"user","content":"q"}]}""");

        Assert.Equal("text(d)", Parts(conversation.System));
        Assert.Equal("user: text(q)", Messages(conversation));
    }

    [Theory]
    [InlineData("""{"type":"reasoning","summary":[{"type":"summary_text","text":"r"}]}""")]
    [InlineData("""{"type":"function_call","call_id":"c","name":"f"}""")]
    [InlineData("""{"type":"custom_tool_call","call_id":"c","name":"f"}""")]
    [InlineData("""{"type":"function_call_output","call_id":"c"}""")]
    [InlineData("""{"role":"assistant","content":"a"}""")]
    public void Read_SystemMessageAfterAnyTurnItem_StaysInTheConversation(string item)
    {
        var conversation = Read("{\"input\":[" + item + ",{\"role\":\"system\",\"content\":\"s\"}]}");

        Assert.Empty(conversation.System);
        Assert.Equal("system: text(s)", Messages(conversation).Split('\n')[^1]);
    }

    // ---- Content parts ----

    [Fact]
    public void Read_ContentParts_TextRefusalImagesAndFiles()
    {
        var conversation = Read("""
            {"input":[{"role":"user","content":[
              {"type":"input_text","text":"a"},{"type":"output_text","text":"b"},{"type":"text","text":"c"},{"type":"summary_text","text":"d"},
              {"type":"input_text"},{"type":"refusal","refusal":"no"},{"type":"refusal"},
              {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"high"},
              {"type":"input_image","image_url":"https://x.test/a.png"},
              {"type":"input_image","file_id":"file_1"},
              {"type":"input_file","file_data":"data:application/pdf;base64,JVBE"},
              {"type":"input_file","file_data":"https://x.test/a.pdf"},
              {"type":"input_file","file_id":"file_2"},
              {"type":"input_image","image_url":"data:;base64,AAAA"},
              {"type":"input_image","image_url":"data:image/png,AAAA"},
              {"type":"input_image","image_url":"https://x.test/a;base64,AAAA"},
              {"type":"input_audio","input_audio":{}}]}]}
            """);

        Assert.Equal(
            "user: text(a) text(b) text(c) text(d) text() text(no) text()"
            + " image(image/png, AAAA, -, high) image(-, -, https://x.test/a.png, -)"
            + " file(application/pdf, JVBE, -, -) file(-, -, https://x.test/a.pdf, -)"
            + " image(-, -, data:;base64,AAAA, -) image(-, -, data:image/png,AAAA, -) image(-, -, https://x.test/a;base64,AAAA, -)",
            Messages(conversation));
    }

    [Fact]
    public void Read_ContentThatIsNeitherStringNorArray_IsEmpty()
    {
        var conversation = Read("""{"input":[{"role":"user","content":null},{"type":"function_call_output","call_id":"c","output":{"x":1}},{"type":"function_call_output","output":"r"}]}""");

        Assert.Equal("user:\ntool: result(c, []) result(, [text(r)])", Messages(conversation));
    }

    // ---- Tools ----

    [Fact]
    public void Read_Tools_FunctionsCustomAndNamespaces_HostedToolsLeftOut()
    {
        var conversation = Read("""
            {"input":"hi","tools":[
              {"type":"function","name":"f","description":"does f","parameters":{"type":"object"},"strict":true},
              {"type":"function","name":"g","parameters":"not an object","strict":false},
              {"type":"function"},
              {"type":"custom","name":"apply_patch","description":"patch","parameters":{"type":"object"},"strict":"yes"},
              {"type":"web_search"},
              {"type":"namespace","name":"ns","description":"agents","tools":[
                {"type":"function","name":"spawn","description":"starts one","parameters":{"type":"object"}},
                {"type":"custom","name":"note"},
                {"type":"web_search","name":"w"},
                {"type":"function"}]},
              {"type":"namespace","name":"plain","description":"","tools":[{"type":"function","name":"h","description":"does h"}]},
              {"type":"namespace","name":"","tools":[{"type":"function","name":"lost"}]},
              {"type":"namespace","name":"notools","tools":{}}]}
            """);

        Assert.Equal(
            """
            f desc=does f params={"type":"object"} custom=False strict=True
            g desc=- params=- custom=False strict=False
             desc=- params=- custom=False strict=-
            apply_patch desc=patch params=- custom=True strict=-
            ns__spawn desc=[ns: agents] starts one params={"type":"object"} custom=False strict=-
            ns__note desc=[ns: agents]  params=- custom=True strict=-
            plain__h desc=does h params=- custom=False strict=-
            """,
            string.Join("\n", conversation.Tools.Select(t => $"{t.Name} desc={t.Description ?? "-"} params={t.ParametersJson ?? "-"} custom={t.Custom} strict={(t.Strict is { } s ? s.ToString() : "-")}")));
        Assert.Equal(
            "ns__note=note/ns ns__spawn=spawn/ns plain__h=h/plain",
            string.Join(" ", conversation.ToolAliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value.Name}/{a.Value.Namespace}")));
    }

    [Theory]
    [InlineData("""{"input":"hi","tools":{}}""")]
    [InlineData("""{"input":"hi"}""")]
    public void Read_ToolsNotAnArray_NoTools(string body)
    {
        Assert.Empty(Read(body).Tools);
    }

    [Fact]
    public void Flatten_UpTo64Characters_IsNamespaceSeparatorName_LongerIsCutAndHashed()
    {
        var space = new string('s', 30);
        var fits = new string('n', 32);
        var over = new string('n', 33);

        Assert.Equal(space + "__" + fits, ResponsesRequestReader.Flatten(space, fits));
        Assert.Equal((space + "__" + over)[..55] + "_" + Opaque.ProviderHash(space + "__" + over), ResponsesRequestReader.Flatten(space, over));
        Assert.Equal(64, ResponsesRequestReader.Flatten(space, over).Length);
    }

    // ---- Tool choice ----

    [Theory]
    [InlineData("\"none\"", "None")]
    [InlineData("\"required\"", "Required")]
    [InlineData("\"auto\"", "Auto")]
    [InlineData("\"anything\"", "Auto")]
    [InlineData("5", "Auto")]
    [InlineData("""{"type":"allowed_tools","tools":[]}""", "Auto")]
    [InlineData("""{"type":"function"}""", "Auto")]
    [InlineData("""{"type":"function","name":"f"}""", "Tool f")]
    [InlineData("""{"type":"custom","name":"g"}""", "Tool g")]
    [InlineData("""{"type":"function","name":"spawn","namespace":"ns"}""", "Tool ns__spawn")]
    [InlineData("""{"type":"function","name":"spawn","namespace":"other"}""", "Tool spawn")]
    [InlineData("""{"type":"function","name":"spawn","namespace":""}""", "Tool spawn")]
    public void Read_ToolChoice(string choice, string expected)
    {
        var conversation = Read("{\"input\":\"hi\",\"tools\":[{\"type\":\"namespace\",\"name\":\"ns\",\"tools\":[{\"type\":\"function\",\"name\":\"spawn\"}]}],\"tool_choice\":" + choice + "}");

        Assert.Equal(expected, (conversation.ToolChoice!.Mode + " " + conversation.ToolChoice.Name).TrimEnd());
    }

    [Fact]
    public void Read_NoToolChoice_IsNull()
    {
        Assert.Null(Read("""{"input":"hi"}""").ToolChoice);
    }

    // ---- Settings ----

    [Fact]
    public void Read_Settings()
    {
        var conversation = Read("""{"input":"hi","parallel_tool_calls":false,"max_output_tokens":64,"temperature":0.5,"top_p":0.9,"user":"u1","safety_identifier":"s1","reasoning":{"effort":"high"}}""");

        Assert.Equal((false, 64, 0.5, 0.9, "u1"), (conversation.ParallelToolCalls, conversation.MaxTokens, conversation.Temperature, conversation.TopP, conversation.UserId));
        Assert.Equal(new ReasoningRequest { Effort = "high" }, conversation.Reasoning);
    }

    [Fact]
    public void Read_NoSettings_LeavesThemUnset()
    {
        var conversation = Read("""{"input":"hi","parallel_tool_calls":"yes","reasoning":{"summary":"auto"},"text":{"format":{"type":"text"}}}""");

        Assert.Equal(((bool?)null, (int?)null, (double?)null, (double?)null, (string?)null), (conversation.ParallelToolCalls, conversation.MaxTokens, conversation.Temperature, conversation.TopP, conversation.UserId));
        Assert.Null(conversation.Reasoning);
        Assert.Null(conversation.ResponseFormat);
    }

    [Fact]
    public void Read_ParallelToolCallsTrue_AndSafetyIdentifierWithoutUser()
    {
        var conversation = Read("""{"input":"hi","parallel_tool_calls":true,"safety_identifier":"s1"}""");

        Assert.Equal((true, "s1"), (conversation.ParallelToolCalls, conversation.UserId));
    }

    [Fact]
    public void Read_ReasoningEffortNone_DisablesReasoning()
    {
        Assert.Equal(new ReasoningRequest { Disabled = true }, Read("""{"input":"hi","reasoning":{"effort":"none"}}""").Reasoning);
    }

    [Theory]
    [InlineData("""{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}""", """{"type":"object"}""", "out", true)]
    [InlineData("""{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":false}""", """{"type":"object"}""", "out", false)]
    [InlineData("""{"type":"json_schema","schema":true,"strict":"yes"}""", null, null, null)]
    [InlineData("""{"type":"json_object","name":"ignored","schema":{}}""", null, null, null)]
    public void Read_TextFormat_IsTheResponseFormat(string format, string? schema, string? name, bool? strict)
    {
        var conversation = Read("{\"input\":\"hi\",\"text\":{\"format\":" + format + "}}");

        Assert.Equal(new ResponseFormat(schema, name) { Strict = strict }, conversation.ResponseFormat);
    }

    [Theory]
    [InlineData("""{"format":"json_object"}""")]
    [InlineData("""{"verbosity":"low"}""")]
    [InlineData("\"json\"")]
    public void Read_TextWithoutAFormatObject_NoResponseFormat(string text)
    {
        Assert.Null(Read("{\"input\":\"hi\",\"text\":" + text + "}").ResponseFormat);
    }

    [Fact]
    public void Read_MembersItDoesNotRead_AreKeptAsResponsesExtensions()
    {
        var conversation = Read("""
            {"model":"m","input":"hi","instructions":"i","stream":true,"tools":[],"tool_choice":"auto","parallel_tool_calls":true,
             "max_output_tokens":5,"temperature":1,"top_p":1,"reasoning":{},"text":{},"user":"u","safety_identifier":"s",
             "metadata":{},"store":false,"include":[],"prompt_cache_key":"k","previous_response_id":"r","truncation":"auto",
             "service_tier":"auto","client_metadata":{},"stream_options":{},"prompt":{"id":"p"},"background":false}
            """);

        Assert.Equal(WireFormat.OpenAIResponses, conversation.ExtensionsFormat);
        Assert.Equal([("prompt", """{"id":"p"}"""), ("background", "false")], conversation.Extensions);
    }

    private static Conversation Read(string body)
    {
        return ResponsesRequestReader.Read(TestRequests.Of(WireFormat.OpenAIResponses, body));
    }

    private static string Messages(Conversation conversation) =>
        string.Join("\n", conversation.Messages.Select(m => (m.Role + ": " + Parts(m.Parts)).TrimEnd()));

    private static string Parts(IEnumerable<ContentPart> parts) => string.Join(" ", parts.Select(Part));

    private static string Part(ContentPart part) => part switch
    {
        TextPart t => $"text({t.Text})",
        MediaPart m => $"{(m.IsDocument ? "file" : "image")}({m.MediaType ?? "-"}, {m.Data ?? "-"}, {m.Url ?? "-"}, {m.Detail ?? "-"})",
        ReasoningPart r => $"reasoning({r.Text}, {Origin(r.Signature)})",
        RedactedReasoningPart r => $"redacted({Origin(r.Data)})",
        ToolCallPart c => $"{(c.Custom ? "custom" : "call")}({c.Id}, {c.Name}, {c.Arguments})",
        ToolResultPart r => $"result({r.CallId}, [{Parts(r.Parts)}]){(r.IsError ? " error" : string.Empty)}",
        _ => part.GetType().Name,
    };

    private static string Origin(Opaque? opaque) => opaque is null ? "-" : $"{opaque.Kind}/{opaque.Provider ?? "-"}/{opaque.Value}";
}
