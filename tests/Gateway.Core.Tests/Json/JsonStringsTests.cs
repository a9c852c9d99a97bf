using System.Text;
using Gateway.Json;
using Xunit;

namespace Gateway.Tests.Json;

public sealed class JsonStringsTests
{
    [Theory]
    [InlineData("""{"model":"a\ud800"}""", "model")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":"\udc00"}]}""", "messages[1].content")]
    [InlineData("""{"messages":[{"content":[{"type":"text","text":"ok"},{"type":"text","text":"\ud800\ud800"}]}]}""", "messages[0].content[1].text")]
    [InlineData("""{"a":[1,[2,3],{"b":"\udfff"}]}""", "a[2].b")]
    [InlineData("""{"a\ud800":1}""", "(a property name)")]
    [InlineData("""["\ud800"]""", "[0]")]
    public void FindUndecodable_NamesThePathOfTheFirstBadString(string json, string expected)
    {
        Assert.Equal(expected, JsonStrings.FindUndecodable(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("""{"model":"a\ud83d\ude00","x":"\u00e9\n"}""")]
    [InlineData("""{"a":[1,2,{"b":null}]}""")]
    public void FindUndecodable_IsNullWhenEveryStringDecodes(string json)
    {
        Assert.Null(JsonStrings.FindUndecodable(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Dom_LastDuplicateWins_AtEveryLevel()
    {
        var node = JsonDom.Parse("""{"a":1,"b":{"c":1,"c":2},"a":3}"""u8)!;

        Assert.Equal("""{"a":3,"b":{"c":2}}""", node.ToJsonString());
    }

    [Fact]
    public void TooDeep_IsTrueOnlyPastTheLimit()
    {
        var at = new string('[', JsonLimits.MaxDepth) + new string(']', JsonLimits.MaxDepth);
        var past = new string('[', JsonLimits.MaxDepth + 1) + new string(']', JsonLimits.MaxDepth + 1);

        Assert.False(JsonLimits.TooDeep(Encoding.UTF8.GetBytes(at)));
        Assert.True(JsonLimits.TooDeep(Encoding.UTF8.GetBytes(past)));
    }
}
