using System.Text;
using Gateway.Json;
using Xunit;

namespace Gateway.Tests.Json;

public sealed class JsonObjectIndexTests
{
    [Fact]
    public void TryCreate_IndexesTopLevelMembersAsRawSpans()
    {
        var json = Encoding.UTF8.GetBytes("""{"a":1, "b" : {"c":[1,2]},"s":"x\"y"}""");

        Assert.True(JsonObjectIndex.TryCreate(json, out var index, out _));
        Assert.Equal(["a", "b", "s"], index!.Members.Select(m => m.Name));
        Assert.True(index.TryGet("b", out var b));
        Assert.Equal("""{"c":[1,2]}""", Encoding.UTF8.GetString(index.ValueOf(b)));
        Assert.True(index.TryGet("s", out var s));
        Assert.Equal("\"x\\\"y\"", Encoding.UTF8.GetString(index.ValueOf(s)));
    }

    [Fact]
    public void TryCreate_RepeatedNameKeepsTheLast()
    {
        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes("""{"model":"a","x":1,"model":"b"}"""), out var index, out _));

        Assert.Equal(["x", "model"], index!.Members.Select(m => m.Name));
        Assert.True(index.TryGet("model", out var model));
        Assert.Equal("\"b\"", Encoding.UTF8.GetString(index.ValueOf(model)));
    }

    // Small objects look for a repeated name by a scan, larger ones with a set: both keep the last.
    [Theory]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(40)]
    public void TryCreate_RepeatedNameKeepsTheLast_AtAnySize(int members)
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < members; i++)
        {
            text.Append(i == 0 ? "" : ",").Append("\"k").Append(i).Append("\":").Append(i);
        }

        text.Append(",\"k1\":\"last\",\"k").Append(members - 1).Append("\":\"end\"}");
        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes(text.ToString()), out var index, out _));

        Assert.Equal(members, index!.Members.Count);
        Assert.Equal(members - 1, index.Members.Count(m => m.Name != "k1"));
        Assert.Equal("k1", index.Members[^2].Name);
        Assert.True(index.TryGet("k1", out var k1));
        Assert.Equal("\"last\"", Encoding.UTF8.GetString(index.ValueOf(k1)));
        Assert.True(index.TryGet("k" + (members - 1), out var end));
        Assert.Equal("\"end\"", Encoding.UTF8.GetString(index.ValueOf(end)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":}")]
    [InlineData("{\"a\":1} {}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{/*c*/\"a\":1}")]
    public void TryCreate_RejectsNonObjectsAndInvalidJson(string text)
    {
        Assert.False(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes(text), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    // Regression: duplicate detection searched the member list for every member (quadratic): a 12 MB
    // body of one-key members held a core for minutes. With 300,000 members a quadratic index would
    // not finish in the test run's time.
    [Fact]
    public void TryCreate_ManyMembers_AreIndexedInOnePass()
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < 300_000; i++)
        {
            text.Append(i == 0 ? "" : ",").Append("\"k").Append(i).Append("\":0");
        }

        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes(text.Append('}').ToString()), out var index, out _));
        Assert.Equal(300_000, index!.Members.Count);
    }

    [Fact]
    public void TryCreate_RejectsInvalidUtf8AnywhereInTheBody()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"a":"xx","b":[1]}""");
        bytes[6] = 0xFF;

        Assert.False(JsonObjectIndex.TryCreate(bytes, out _, out var error));
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rewriter_SetsRemovesAndAppendsWhileCopyingTheRest()
    {
        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes("""{"a":1,"b":[ 1 ],"c":"keep"}"""), out var index, out _));

        var rewriter = new JsonObjectRewriter(index!)
            .Set("a", w => w.WriteStringValue("new"))
            .Remove("b")
            .Set("d", w => w.WriteBooleanValue(true));

        Assert.Equal("""{"a":"new","c":"keep","d":true}""", Encoding.UTF8.GetString(rewriter.ToMemory().Span));
    }
}
