using System.Text;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>Golden request bodies: client request in, upstream body out (fixtures/openai-chat/request-*).</summary>
public sealed class OpenAIChatRequestBuilderTests
{
    [Theory]
    [InlineData("request-plain-stream", true, false)]
    [InlineData("request-legacy-functions", true, false)]
    [InlineData("request-tool-filter", true, false)]
    [InlineData("request-thinking-prompt-tags", true, true)]
    [InlineData("request-no-stream-options", false, false)]
    public void Build_MatchesGolden(string name, bool sendStreamOptions, bool promptTags)
    {
        var request = OpenAIChatStreamProcessorTests.Parse(Golden.Read($"openai-chat/{name}.json"));

        var body = OpenAIChatRequestBuilder.Build(request, "upstream-model", sendStreamOptions, promptTags);

        Golden.AssertMatches($"openai-chat/{name}.upstream.json", Encoding.UTF8.GetString(body.Span) + "\n");
    }

    [Fact]
    public void Build_PlainRequest_CopiesEveryOtherMemberByteForByte()
    {
        const string members = "\"temperature\":0.70,\"x\":{\"deep\":[1, 2 ,{\"é\":\"\\u00e9\"}]},\"messages\":[{\"role\":\"user\",\"content\":\"a\\nb\"}]";
        var request = OpenAIChatStreamProcessorTests.Parse("{\"model\":\"public\"," + members + "}");

        var body = Encoding.UTF8.GetString(OpenAIChatRequestBuilder.Build(request, "upstream-model", true, false).Span);

        Assert.Equal("{\"model\":\"upstream-model\"," + members + "}", body);
    }

    // Thinking: Off on the byte path too: a model that cannot think gets none of the fields asking it to.
    [Fact]
    public void Build_ThinkingOff_DropsEveryThinkingField()
    {
        var request = OpenAIChatStreamProcessorTests.Parse("""{"model":"public","reasoning_effort":"high","reasoning":{"effort":"high"},"thinking":{"type":"enabled","budget_tokens":100},"think":true,"temperature":1,"messages":[{"role":"user","content":"hi"}]}""");

        var body = Encoding.UTF8.GetString(OpenAIChatRequestBuilder.Build(request, "upstream-model", false, false, thinkingOff: true).Span);

        Assert.Equal("""{"model":"upstream-model","temperature":1,"messages":[{"role":"user","content":"hi"}]}""", body);
    }
}
