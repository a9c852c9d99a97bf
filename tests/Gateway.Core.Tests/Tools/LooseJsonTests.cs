using Gateway.Tools;
using Xunit;

namespace Gateway.Core.Tests.Tools;

public sealed class LooseJsonTests
{
    [Theory]
    [InlineData("""{"a":1,"b":[true,null,"x"]}""", """{"a":1,"b":[true,null,"x"]}""")]
    [InlineData("{a: 1, b: 'two'}", """{"a":1,"b":"two"}""")]
    [InlineData("{a: 1, b: [1, 2,],}", """{"a":1,"b":[1,2]}""")]
    [InlineData("{path: /tmp/x y, n: -2.5}", """{"path":"/tmp/x y","n":-2.5}""")]
    [InlineData("{date: 2024-01-02}", """{"date":"2024-01-02"}""")]
    [InlineData("{flag: True, none: None}", """{"flag":true,"none":null}""")]
    [InlineData("{\"s\": \"line\nbreak\"}", """{"s":"line\nbreak"}""")]
    [InlineData("{\"s\": \"\\u0041\\t\"} // a comment", """{"s":"A\t"}""")]
    [InlineData("{a = 1}", """{"a":1}""")]
    public void ReadsWhatModelsWrite(string text, string json)
    {
        Assert.Equal(json, LooseJson.Parse(text, out var ok)!.ToJsonString());
        Assert.True(ok);
    }

    [Theory]
    [InlineData("{\"a\": 1")]
    [InlineData("{\"a\": 1} trailing")]
    [InlineData("{\"a\" 1}")]
    [InlineData("[1, 2")]
    [InlineData("{\"a\": \"unterminated}")]
    [InlineData("")]
    public void RejectsWhatIsNotOneValue(string text)
    {
        Assert.Null(LooseJson.Parse(text, out var ok));
        Assert.False(ok);
    }

    [Fact]
    public void DeepNesting_IsRejected_NotAStackOverflow()
    {
        var text = new string('[', 10_000) + new string(']', 10_000);

        Assert.Null(LooseJson.Parse(text, out var ok));
        Assert.False(ok);
    }
}
