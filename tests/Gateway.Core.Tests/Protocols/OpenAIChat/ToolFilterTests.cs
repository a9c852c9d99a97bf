using System.Text;
using System.Text.Json.Nodes;
using Gateway.Json;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>Only function and custom tools reach an OpenAI-kind upstream; bare definitions are wrapped.</summary>
public sealed class ToolFilterTests
{
    [Theory]
    [InlineData("""{"model":"m"}""", false)]
    [InlineData("""{"tools":null}""", false)]
    [InlineData("""{"tools":{"type":"mcp"}}""", false)]
    [InlineData("""{"tools":[]}""", false)]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f"}},{"type":"custom","custom":{"name":"c"}}]}""", false)]
    [InlineData("""{"tools":[{"function":{"type":"mcp","x":[{"type":"mcp"}]},"type":"function"}]}""", false)]
    [InlineData("""{"tools":[{"type":"mcp","type":"function"}]}""", false)]
    [InlineData("""{"tools":[{"type":"function","type":"mcp"}]}""", true)]
    [InlineData("""{"tools":[{"type":"function"},{"type":"mcp"}]}""", true)]
    [InlineData("""{"tools":[{"type":"mcp"},{"type":"function"}]}""", true)]
    [InlineData("""{"tools":[{"type":"Function"}]}""", true)]
    [InlineData("""{"tools":[{"type":"function_x"}]}""", true)]
    [InlineData("""{"tools":[{"type":1}]}""", true)]
    [InlineData("""{"tools":[{"type":null}]}""", true)]
    [InlineData("""{"tools":[{"name":"f","parameters":{}}]}""", true)]
    [InlineData("""{"tools":[{}]}""", true)]
    [InlineData("""{"tools":["function"]}""", true)]
    [InlineData("""{"tools":[{"type":"function"},null]}""", true)]
    public void NeedsFiltering_OnTheRawBytes(string body, bool expected)
    {
        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes(body), out var index, out var error), error);

        Assert.Equal(expected, ToolFilter.NeedsFiltering(index!, null));
    }

    // A tools array already parsed (legacy functions added to it) is checked instead of the body's.
    [Theory]
    [InlineData("""[]""", false)]
    [InlineData("""[{"type":"function"},{"type":"custom"}]""", false)]
    [InlineData("""[{"type":"function"},{"type":"mcp"}]""", true)]
    [InlineData("""[{"type":"mcp"},{"type":"function"}]""", true)]
    [InlineData("""[{"type":1}]""", true)]
    [InlineData("""[{"name":"f"}]""", true)]
    [InlineData("""["function"]""", true)]
    public void NeedsFiltering_AlreadyParsed_ChecksThatArray(string tools, bool expected)
    {
        Assert.True(JsonObjectIndex.TryCreate("""{"tools":[{"type":"mcp"}]}"""u8.ToArray(), out var index, out _));
        var clean = JsonObjectIndex.TryCreate("""{"tools":[{"type":"function"}]}"""u8.ToArray(), out var cleanIndex, out _);
        Assert.True(clean);

        Assert.Equal(expected, ToolFilter.NeedsFiltering(index!, JsonNode.Parse(tools)!.AsArray()));
        Assert.Equal(expected, ToolFilter.NeedsFiltering(cleanIndex!, JsonNode.Parse(tools)!.AsArray()));
    }

    [Theory]
    [InlineData("""[{"type":"function","function":{"name":"f"}},{"type":"custom","custom":{"name":"c"}}]""", """[{"type":"function","function":{"name":"f"}},{"type":"custom","custom":{"name":"c"}}]""")]
    [InlineData("""[{"type":"mcp"},{"type":"function","function":{"name":"f"}},"x",null,{"type":"mcp"},{"type":"custom"},{"type":"web_search"}]""", """[{"type":"function","function":{"name":"f"}},{"type":"custom"}]""")]
    [InlineData("""[{"name":"a","parameters":{"type":"object"}},{"type":"mcp"},{"name":"b"}]""", """[{"type":"function","function":{"name":"a","parameters":{"type":"object"}}},{"type":"function","function":{"name":"b"}}]""")]
    [InlineData("""[{"name":7}]""", """[{"type":"function","function":{"name":7}}]""")]
    [InlineData("""[{"name":{"x":1}},{"name":null},{"function":{"name":"f"}}]""", """[]""")]
    [InlineData("""[{"type":1,"name":"f"},{"type":"Function"},{"type":"custom","name":"c"}]""", """[{"type":"custom","name":"c"}]""")]
    public void Filter_DropsUnsupportedAndWrapsBareDefinitions_InOrder(string tools, string expected)
    {
        var array = JsonNode.Parse(tools)!.AsArray();

        ToolFilter.Filter(array);

        Assert.Equal(expected, array.ToJsonString());
    }
}
