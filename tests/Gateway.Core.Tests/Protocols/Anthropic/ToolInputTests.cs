using Gateway.Protocols.Anthropic;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>Tool arguments as Anthropic's <c>input</c>, which must be an object.</summary>
public sealed class ToolInputTests
{
    [Theory]
    [InlineData(null, "{}")]
    [InlineData("", "{}")]
    [InlineData("\n\t ", "{}")]
    [InlineData("{ \"a\" : [1, 2] }", "{ \"a\" : [1, 2] }")]
    [InlineData("{}", "{}")]
    [InlineData("5", """{"value":5}""")]
    [InlineData("\"text\"", """{"value":"text"}""")]
    [InlineData("null", """{"value":null}""")]
    [InlineData("[{\"a\":1}]", """{"value":[{"a":1}]}""")]
    [InlineData("not json", """{"arguments":"not json"}""")]
    [InlineData("{\"a\":1}}", """{"arguments":"{\u0022a\u0022:1}}"}""")]
    public void AsObject_AlwaysAnObject(string? arguments, string expected)
    {
        Assert.Equal(expected, ToolInput.AsObject(arguments));
    }
}
