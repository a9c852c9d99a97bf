using System.Text.Encodings.Web;
using System.Text.Json;
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

    [Fact]
    public void Normalize_InterleavedCallsOverChunks_ContinueTheCallOfTheirIndex()
    {
        var tracker = new ToolCallDeltaTracker([]);

        var deltas = new[]
        {
            """[{"index":1,"id":"ca","function":{"name":"a","arguments":""}}]""",
            """[{"index":2,"id":"cb","function":{"name":"b","arguments":""}}]""",
            """[{"index":2,"function":{"arguments":"{\"y\":"}}]""",
            """[{"index":1,"function":{"arguments":"{\"x\":"}}]""",
            """[{"index":1,"function":{"arguments":"1}"}},{"index":2,"function":{"arguments":"2}"}}]""",
        }.SelectMany(d => tracker.Normalize(Parse(d))).Select(r => (r.Index, r.IsFirst, r.Delta.ToJsonString(Relaxed))).ToList();

        Assert.Equal(
        [
            (0, true, """{"index":0,"id":"ca","type":"function","function":{"name":"a","arguments":""}}"""),
            (1, true, """{"index":1,"id":"cb","type":"function","function":{"name":"b","arguments":""}}"""),
            (1, false, """{"index":1,"function":{"arguments":"{\"y\":"}}"""),
            (0, false, """{"index":0,"function":{"arguments":"{\"x\":"}}"""),
            (0, false, """{"index":0,"function":{"arguments":"1}"}}"""),
            (1, false, """{"index":1,"function":{"arguments":"2}"}}"""),
        ], deltas);
        Assert.Equal(2, tracker.Count);
    }

    [Fact]
    public void Normalize_ContinuationWithoutArguments_IsDropped()
    {
        var tracker = new ToolCallDeltaTracker([]);
        tracker.Normalize(Parse("""[{"index":0,"id":"c1","function":{"name":"a","arguments":"{}"}}]"""));

        var result = tracker.Normalize(Parse("""[{"index":0,"id":"c1","function":{"arguments":""}},{"index":0},"not an object",{"index":0,"function":{}}]"""));

        Assert.Empty(result);
        Assert.Equal(1, tracker.Count);
    }

    [Theory]
    [InlineData("""[{"index":0,"id":"c1","type":"custom","custom":{"name":"patch","input":"*** Begin"}}]""")]
    [InlineData("""[{"index":0,"id":"c1","custom":{"name":"patch","input":"*** Begin"}}]""")]
    public void Normalize_CustomToolCall_KeepsItsShape(string first)
    {
        var tracker = new ToolCallDeltaTracker([]);

        var start = tracker.Normalize(Parse(first));
        var next = tracker.Normalize(Parse("""[{"index":0,"custom":{"input":" Patch"}}]"""));

        Assert.Equal("""{"index":0,"id":"c1","type":"custom","custom":{"name":"patch","input":"*** Begin"}}""", Assert.Single(start).Delta.ToJsonString());
        Assert.Equal("""{"index":0,"custom":{"input":" Patch"}}""", Assert.Single(next).Delta.ToJsonString());
    }

    [Fact]
    public void Normalize_FirstDeltaWithoutNameOrArguments_StillHasBoth()
    {
        var tracker = new ToolCallDeltaTracker([]);

        var result = tracker.Normalize(Parse("""[{"index":0,"id":"c1","type":"","function":{"name":""}}]"""));

        Assert.Equal("""{"index":0,"id":"c1","type":"function","function":{"name":"","arguments":""}}""", Assert.Single(result).Delta.ToJsonString());
    }

    [Fact]
    public void Normalize_ExtrasOnAContinuation_AreNotRepeated()
    {
        var tracker = new ToolCallDeltaTracker([]);

        var first = tracker.Normalize(Parse("""[{"index":0,"id":"c1","type":"function","function":{"name":"a"},"extra":1,"nothing":null}]"""));
        var next = tracker.Normalize(Parse("""[{"index":0,"function":{"arguments":"{}"},"extra":2}]"""));

        Assert.Equal("""{"index":0,"id":"c1","type":"function","function":{"name":"a","arguments":""},"extra":1}""", Assert.Single(first).Delta.ToJsonString());
        Assert.Equal("""{"index":0,"function":{"arguments":"{}"}}""", Assert.Single(next).Delta.ToJsonString());
    }

    // Compared as text the way a client receives it (quotes in arguments not escaped as \u0022).
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonArray Parse(string json) => JsonNode.Parse(json)!.AsArray();
}
