using System.Text.Json.Nodes;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Streaming;

public sealed class ToolCallDeltaTrackerTests
{
    [Fact]
    public void Normalize_MissingIndexAndId_GetsZeroBasedIndexAndGeneratedId()
    {
        var tracker = new ToolCallDeltaTracker([]);

        var first = tracker.Normalize(Parse("""[{"function":{"name":"read","arguments":"{\"a\""}}]"""));
        var next = tracker.Normalize(Parse("""[{"function":{"arguments":":1}"}}]"""));

        var (index, isFirst, delta) = Assert.Single(first);
        Assert.Equal(0, index);
        Assert.True(isFirst);
        Assert.StartsWith("call_", delta["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("function", delta["type"]!.GetValue<string>());
        Assert.Equal("read", delta["function"]!["name"]!.GetValue<string>());
        var continuation = Assert.Single(next).Delta;
        Assert.Equal(0, continuation["index"]!.GetValue<int>());
        Assert.Null(continuation["id"]);
        Assert.Equal(":1}", continuation["function"]!["arguments"]!.GetValue<string>());
    }

    [Fact]
    public void Normalize_TwoCallsInOneDelta_GetTwoIndices()
    {
        var tracker = new ToolCallDeltaTracker([]);

        var result = tracker.Normalize(Parse("""[{"index":0,"id":"c1","function":{"name":"a","arguments":""}},{"index":1,"id":"c2","function":{"name":"b","arguments":""}}]"""));

        Assert.Equal([0, 1], result.Select(r => r.Index));
        Assert.Equal(2, tracker.Count);
    }

    [Fact]
    public void Normalize_ObjectArguments_BecomeJsonText()
    {
        var tracker = new ToolCallDeltaTracker([]);

        var result = tracker.Normalize(Parse("""[{"index":0,"id":"c1","function":{"name":"a","arguments":{"x":1}}}]"""));

        Assert.Equal("{\"x\":1}", result[0].Delta["function"]!["arguments"]!.GetValue<string>());
    }

    [Fact]
    public void Normalize_ProviderExtrasRideOnFirstDelta()
    {
        var tracker = new ToolCallDeltaTracker([]);

        var result = tracker.Normalize(Parse("""[{"index":0,"id":"c1","function":{"name":"a","arguments":""},"extra_content":{"google":{"thought_signature":"sig"}}}]"""));

        Assert.Equal("sig", result[0].Delta["extra_content"]!["google"]!["thought_signature"]!.GetValue<string>());
    }

    [Fact]
    public void Normalize_IdsAreUniqueAcrossChoices()
    {
        var shared = new HashSet<string>();
        var choice0 = new ToolCallDeltaTracker(shared);
        var choice1 = new ToolCallDeltaTracker(shared);

        var a = choice0.Normalize(Parse("""[{"index":0,"id":"same","function":{"name":"a"}}]"""));
        var b = choice1.Normalize(Parse("""[{"index":0,"id":"same","function":{"name":"a"}}]"""));

        Assert.NotEqual(a[0].Delta["id"]!.GetValue<string>(), b[0].Delta["id"]!.GetValue<string>());
    }

    private static JsonArray Parse(string json) => JsonNode.Parse(json)!.AsArray();
}
