using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Json;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>Legacy functions/function_call mapped to tools: definitions, the choice and the history.</summary>
public sealed class LegacyFunctionsTests
{
    [Fact]
    public void MapRequest_DefinitionsAppendToTheToolsGiven_NonObjectsSkipped()
    {
        var (body, _, tools) = Map("""{"functions":[{"name":"f","parameters":{}},"x",null,{"name":"g"}],"messages":[]}""", """[{"type":"function","function":{"name":"t"}}]""");

        Assert.Equal("""[{"type":"function","function":{"name":"t"}},{"type":"function","function":{"name":"f","parameters":{}}},{"type":"function","function":{"name":"g"}}]""", tools);
        Assert.Equal("""{"messages":[],"parallel_tool_calls":false}""", body);
    }

    [Fact]
    public void MapRequest_FunctionsNotAnArray_AddsNothingButIsRemoved()
    {
        var (body, _, tools) = Map("""{"functions":{"name":"f"},"parallel_tool_calls":true,"messages":[]}""");

        Assert.Equal("[]", tools);
        Assert.Equal("""{"parallel_tool_calls":false,"messages":[]}""", body);
    }

    [Theory]
    [InlineData("\"auto\"", ",\"tool_choice\":\"auto\"")]
    [InlineData("\"none\"", ",\"tool_choice\":\"none\"")]
    [InlineData("""{"name":"f","arguments":"{}"}""", ""","tool_choice":{"type":"function","function":{"name":"f"}}""")]
    [InlineData("""{"name":7}""", ""","tool_choice":{"type":"function","function":{"name":7}}""")]
    [InlineData("""{"name":{"x":1}}""", "")]
    [InlineData("""{"arguments":"{}"}""", "")]
    [InlineData("null", "")]
    [InlineData("5", "")]
    [InlineData("true", "")]
    [InlineData("[\"f\"]", "")]
    public void MapRequest_FunctionCall_BecomesToolChoiceOrIsDropped(string functionCall, string toolChoice)
    {
        var (body, _, _) = Map($$$"""{"function_call":{{{functionCall}}},"messages":[]}""");

        Assert.Equal($$$"""{"messages":[]{{{toolChoice}}},"parallel_tool_calls":false}""", body);
    }

    [Fact]
    public void MapRequest_History_ArgumentsAndContentOfEveryShape()
    {
        var (_, messages, _) = Map("""
            {"messages":[
            null,
            {"content":"no role"},
            {"role":"assistant","function_call":"not an object"},
            {"role":"assistant","content":"c","function_call":{"name":"f","arguments":"{\"a\":1}"}},
            {"role":"function","name":"f","content":["x",1]},
            {"role":"assistant","function_call":{"arguments":5}},
            {"role":"function","content":7},
            {"role":"assistant","function_call":{"name":"h","arguments":null}},
            {"role":"function","content":null},
            {"role":"Function","content":"case"}
            ]}
            """.ReplaceLineEndings(string.Empty));

        Assert.Equal(
            """[null,{"content":"no role"},{"role":"assistant","function_call":"not an object"},""" +
            """{"role":"assistant","content":"c","tool_calls":[{"id":"call_legacy_3","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},""" +
            """{"role":"tool","tool_call_id":"call_legacy_3","content":"[\"x\",1]"},""" +
            """{"role":"assistant","tool_calls":[{"id":"call_legacy_5","type":"function","function":{"name":null,"arguments":"5"}}]},""" +
            """{"role":"tool","tool_call_id":"call_legacy_5","content":"7"},""" +
            """{"role":"assistant","tool_calls":[{"id":"call_legacy_7","type":"function","function":{"name":"h","arguments":"{}"}}]},""" +
            """{"role":"tool","tool_call_id":"call_legacy_7","content":""},""" +
            """{"role":"Function","content":"case"}]""",
            messages);
    }

    // Two calls before their results: the later call's id is the one pending.
    [Fact]
    public void MapRequest_History_ResultTakesTheLatestPendingCall()
    {
        var (_, messages, _) = Map("""{"messages":[{"role":"assistant","function_call":{"name":"a"}},{"role":"assistant","function_call":{"name":"b"}},{"role":"function","content":"r"},{"role":"function","content":"s"}]}""");

        Assert.Equal(
            """[{"role":"assistant","tool_calls":[{"id":"call_legacy_0","type":"function","function":{"name":"a","arguments":"{}"}}]},""" +
            """{"role":"assistant","tool_calls":[{"id":"call_legacy_1","type":"function","function":{"name":"b","arguments":"{}"}}]},""" +
            """{"role":"tool","tool_call_id":"call_legacy_1","content":"r"},""" +
            """{"role":"tool","tool_call_id":"call_legacy_3","content":"s"}]""",
            messages);
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static (string Body, string Messages, string Tools) Map(string json, string tools = "[]")
    {
        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes(json), out var index, out var error), error);
        var rewriter = new JsonObjectRewriter(index!);
        var messages = OpenAIChatRequestBuilder.ParseArray(index!, "messages")!;
        var toolArray = JsonNode.Parse(tools)!.AsArray();

        LegacyFunctions.MapRequest(index!, messages, toolArray, rewriter);

        return (Encoding.UTF8.GetString(rewriter.ToMemory().Span), messages.ToJsonString(Relaxed), toolArray.ToJsonString(Relaxed));
    }
}
