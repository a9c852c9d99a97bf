using System.Buffers;
using System.Text;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>The one-pass reader that decides whether a chunk can be forwarded as it is.</summary>
public sealed class ChunkScanTests
{
    [Fact]
    public void TryScan_ChoicesWithAndWithoutIndex_GivePositionsAndFinishes()
    {
        var scan = Scan("""{"choices":[{"delta":{}},{"index":4,"finish_reason":"stop"},7,{"index":"x","finish_reason":""},{"finish_reason":null}]}""", out _);

        // A choice without a usable index is its position among the objects; a non-object is skipped.
        Assert.Equal([(0, null), (4, "stop"), (2, null), (3, null)], scan.Choices);
        Assert.True(scan.HasFinish);
        Assert.True(scan.HasContent);
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"content":"a"}}]}""", "a")]
    [InlineData("""{"choices":[{"delta":{"reasoning_content":"r"}}]}""", "r")]
    [InlineData("""{"choices":[{"delta":{"reasoning":"r2"}}]}""", "r2")]
    [InlineData("""{"choices":[{"delta":{"refusal":"no"}}]}""", "no")]
    [InlineData("""{"choices":[{"message":{"content":"whole"}}]}""", "whole")]
    [InlineData("""{"choices":[{"delta":{"content":"caf\u00e9 \"q\""}}]}""", "café \"q\"")]
    public void TryScan_TextFields_AreContentAndCountedUnescaped(string chunk, string text)
    {
        var scan = Scan(chunk, out var buffer);

        Assert.True(scan.HasContent);
        Assert.False(scan.HasToolCalls);
        Assert.Equal(text, buffer);
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"role":"assistant","content":""}}]}""")]
    [InlineData("""{"choices":[{"delta":{"content":null,"refusal":null,"tool_calls":null,"function_call":null}}]}""")]
    [InlineData("""{"choices":[{"delta":"text"}]}""")]
    [InlineData("""{"choices":[]}""")]
    [InlineData("""{"choices":{"delta":{"content":"not in an array"}}}""")]
    public void TryScan_NothingSaid_IsNotContent(string chunk)
    {
        var scan = Scan(chunk, out var buffer);

        Assert.False(scan.HasContent);
        Assert.False(scan.HasToolCalls);
        Assert.False(scan.HasFinish);
        Assert.Equal(string.Empty, buffer);
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"x","type":"function","function":{"name":"read","arguments":"{\"a\":1}"}}]}}]}""", "read{\"a\":1}")]
    [InlineData("""{"choices":[{"delta":{"function_call":{"name":"f","arguments":"{}"}}}]}""", "f{}")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"index":0,"custom":{"name":"patch","input":"diff"}}]}}]}""", "patchdiff")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":{"nested":"no"}}}]}}]}""", "")]
    public void TryScan_ToolCalls_AreContentAndTheirNamesAndArgumentsCounted(string chunk, string text)
    {
        var scan = Scan(chunk, out var buffer);

        Assert.True(scan.HasToolCalls);
        Assert.True(scan.HasContent);
        Assert.Equal(text, buffer);
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"content":"a <b"}}]}""", true)]
    [InlineData("""{"choices":[{"delta":{"content":"a \u003cb"}}]}""", true)]
    [InlineData("""{"choices":[{"delta":{"reasoning_content":"a <b"}}]}""", false)]
    [InlineData("""{"choices":[{"delta":{"content":"<"}},{"delta":{"content":"plain"}}]}""", true)]
    [InlineData("""{"choices":[{"delta":{"content":"plain"}}]}""", false)]
    public void TryScan_AngleBracket_OnlyInContentCounts(string chunk, bool expected)
    {
        Assert.Equal(expected, Scan(chunk, out _).ContentHasAngle);
    }

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":1}}""", true, true)]
    [InlineData("""{"usage":null}""", true, false)]
    [InlineData("""{"choices":[]}""", false, false)]
    public void TryScan_Usage_KeyAndObjectTold(string chunk, bool key, bool obj)
    {
        var scan = Scan(chunk, out _);

        Assert.Equal((key, obj), (scan.HasUsageKey, scan.HasUsageObject));
        Assert.Equal(obj ? """{"prompt_tokens":1}""" : null, scan.Usage is null ? null : Encoding.UTF8.GetString(scan.Usage));
    }

    [Theory]
    [InlineData("""{"error":{"message":"x"}}""", true)]
    [InlineData("""{"error":"overloaded"}""", true)]
    [InlineData("""{"error":null,"choices":[]}""", false)]
    [InlineData("""{"choices":[],"error":false}""", false)]
    public void TryScan_Error_OnlyAnObjectOrString(string chunk, bool expected)
    {
        Assert.Equal(expected, Scan(chunk, out _).HasError);
    }

    [Fact]
    public void TryScan_Meta_CapturedAsRawJsonOnlyWhenAsked()
    {
        const string chunk = """{"id":"c-1","created":17,"model":"m\u002d1","system_fingerprint":null,"choices":[]}""";
        var scan = new ChunkScan();
        var text = new ArrayBufferWriter<byte>();

        Assert.True(scan.TryScan(Encoding.UTF8.GetBytes(chunk), text, captureMeta: true));
        Assert.Equal(["\"c-1\"", "17", "\"m\\u002d1\"", "null"], new[] { scan.Id, scan.Created, scan.Model, scan.SystemFingerprint }.Select(b => Encoding.UTF8.GetString(b!)));

        Assert.True(scan.TryScan(Encoding.UTF8.GetBytes(chunk), text, captureMeta: false));
        Assert.Equal([null, null, null, null], new[] { scan.Id, scan.Created, scan.Model, scan.SystemFingerprint });
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData(""""text"""")]
    [InlineData("""{"choices":[]} {}""")]
    [InlineData("""{"choices":[""")]
    [InlineData("""{"choices":[{"delta":{"content":"a"}}]""")]
    [InlineData("")]
    public void TryScan_NotOneJsonObject_IsFalse(string chunk)
    {
        Assert.False(new ChunkScan().TryScan(Encoding.UTF8.GetBytes(chunk), new ArrayBufferWriter<byte>(), captureMeta: true));
    }

    [Fact]
    public void TryScan_SecondChunk_StartsFromNothing()
    {
        var scan = new ChunkScan();
        var text = new ArrayBufferWriter<byte>();
        Assert.True(scan.TryScan("""{"id":"a","error":"x","usage":{"prompt_tokens":1},"choices":[{"index":0,"delta":{"content":"<","tool_calls":[{"function":{"name":"f"}}]},"finish_reason":"stop"}]}"""u8, text, captureMeta: true));

        Assert.True(scan.TryScan("""{"choices":[{"index":1,"delta":{"role":"assistant"}}]}"""u8, text, captureMeta: true));

        Assert.Equal([(1, null)], scan.Choices);
        Assert.False(scan.HasError || scan.HasUsageKey || scan.HasUsageObject || scan.HasContent || scan.HasToolCalls || scan.HasFinish || scan.ContentHasAngle);
        Assert.Null(scan.Usage);
        Assert.Null(scan.Id);
    }

    // A container where the scan expects another shape is skipped whole: what follows it is still read,
    // and nothing inside it is taken for a field of the level it sits in.
    [Theory]
    [InlineData("""{"choices":[[{"finish_reason":"stop"}],{"delta":{"content":"a"}}]}""", "a", "0:-")]
    [InlineData("""{"choices":[{"delta":[{"content":"a"}],"finish_reason":"stop"}]}""", "", "0:stop")]
    [InlineData("""{"choices":[{"logprobs":{"content":[{"token":"x"}]},"delta":{"content":"b"},"finish_reason":"stop"}]}""", "b", "0:stop")]
    [InlineData("""{"choices":[{"delta":{"content":{"text":"<x"},"refusal":"r"},"index":1}]}""", "r", "1:-")]
    [InlineData("""{"choices":[{"delta":{"audio":{"content":"x"},"content":"b"},"index":2}]}""", "b", "2:-")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":["junk",{"function":{"name":"f"}}]}}]}""", "f", "0:-")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"function":{"name":"f"}}],"content":"c"},"finish_reason":"tool_calls"},{"index":1}]}""", "fc", "0:tool_calls|1:-")]
    public void TryScan_AContainerOfAnotherShape_IsSkippedWhole(string chunk, string text, string choices)
    {
        var scan = Scan(chunk, out var buffer);

        Assert.Equal(text, buffer);
        Assert.Equal(choices.Split('|'), scan.Choices.Select(c => $"{c.Choice}:{c.Finish ?? "-"}"));
        Assert.False(scan.ContentHasAngle);
    }

    [Fact]
    public void TryScan_MetaThatIsAContainer_IsCapturedWhole_AndTheNextFieldStillRead()
    {
        var scan = Scan("""{"id":{"a":[1]},"model":"m","choices":[]}""", out _);

        Assert.Equal("""{"a":[1]}""", Encoding.UTF8.GetString(scan.Id!));
        Assert.Equal("\"m\"", Encoding.UTF8.GetString(scan.Model!));
    }

    // A string the reader cannot transcode (not UTF-8) is not a chunk the gateway can forward or rewrite.
    [Theory]
    [InlineData("finish_reason")]
    [InlineData("content")]
    public void TryScan_AStringThatIsNotUtf8_IsFalse(string field)
    {
        var chunk = field == "content" ? """{"choices":[{"delta":{"content":"A"}}]}"""u8.ToArray() : """{"choices":[{"finish_reason":"A"}]}"""u8.ToArray();
        chunk[Array.IndexOf(chunk, (byte)'A')] = 0xFF;

        Assert.False(new ChunkScan().TryScan(chunk, new ArrayBufferWriter<byte>(), captureMeta: true));
    }

    private static ChunkScan Scan(string chunk, out string text)
    {
        var scan = new ChunkScan();
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(scan.TryScan(Encoding.UTF8.GetBytes(chunk), buffer, captureMeta: true));
        text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return scan;
    }
}
