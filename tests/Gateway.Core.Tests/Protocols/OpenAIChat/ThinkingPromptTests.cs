using System.Text.Json.Nodes;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>PromptTags thinking: the budget goes into the first system message.</summary>
public sealed class ThinkingPromptTests
{
    private const string Prefix = "<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>";

    [Fact]
    public void For_WritesTheBudgetWithoutGrouping()
    {
        Assert.Equal("<thinking_mode>interleaved</thinking_mode><max_thinking_length>1234567</max_thinking_length>", ThinkingPrompt.For(1234567));
        Assert.Equal("<thinking_mode>interleaved</thinking_mode><max_thinking_length>0</max_thinking_length>", ThinkingPrompt.For(0));
    }

    [Theory]
    [InlineData("""[]""", $$"""[{"role":"system","content":"{{Prefix}}"}]""")]
    [InlineData("""[{"role":"system","content":"Be brief."}]""", $$"""[{"role":"system","content":"{{Prefix}}\nBe brief."}]""")]
    [InlineData("""[{"role":"system","content":""}]""", $$"""[{"role":"system","content":"{{Prefix}}\n"}]""")]
    [InlineData("""[{"role":"system","content":[{"type":"text","text":"a"}]}]""", $$"""[{"role":"system","content":[{"type":"text","text":"{{Prefix}}"},{"type":"text","text":"a"}]}]""")]
    [InlineData("""[{"role":"system"}]""", $$"""[{"role":"system","content":"{{Prefix}}"}]""")]
    [InlineData("""[{"role":"system","content":5}]""", $$"""[{"role":"system","content":"{{Prefix}}"}]""")]
    [InlineData("""[{"role":"system","content":{"x":1}}]""", $$"""[{"role":"system","content":"{{Prefix}}"}]""")]
    [InlineData("""["system",null,{"role":1},{"content":"c"},{"role":"System","content":"s"},{"role":"user","content":"u"},{"role":"system","content":"first"},{"role":"system","content":"second"}]""",
        $$"""["system",null,{"role":1},{"content":"c"},{"role":"System","content":"s"},{"role":"user","content":"u"},{"role":"system","content":"{{Prefix}}\nfirst"},{"role":"system","content":"second"}]""")]
    [InlineData("""[{"role":"user","content":"u"},{"role":"developer","content":"d"}]""", $$"""[{"role":"system","content":"{{Prefix}}"},{"role":"user","content":"u"},{"role":"developer","content":"d"}]""")]
    public void Inject_PrefixesTheFirstSystemMessageOrInsertsOne(string messages, string expected)
    {
        var array = JsonNode.Parse(messages)!.AsArray();

        ThinkingPrompt.Inject(array, 64);

        Assert.Equal(expected, array.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}
