using System.Text;
using Gateway.Chat;
using Gateway.Protocols.OpenAIChat;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

public sealed class OpenAIChatDecoderTests
{
    // Regression: an upstream that sends its reasoning under both names in one delta had it doubled.
    [Fact]
    public void Decode_ReasoningUnderBothNamesInOneDelta_IsTakenOnce()
    {
        var updates = new List<ChatUpdate>();
        const string chunk = """{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"Think.","reasoning":"Think."},"finish_reason":null}]}""";

        new OpenAIChatDecoder().Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(chunk)), updates);

        var reasoning = Assert.Single(updates, u => u.Kind == ChatUpdateKind.ReasoningDelta);
        Assert.Equal("Think.", reasoning.Text);
    }

    [Fact]
    public void Decode_ReasoningUnderTheOtherName_IsStillRead()
    {
        var updates = new List<ChatUpdate>();
        const string chunk = """{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"","reasoning":"Think."},"finish_reason":null}]}""";

        new OpenAIChatDecoder().Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(chunk)), updates);

        Assert.Equal("Think.", Assert.Single(updates, u => u.Kind == ChatUpdateKind.ReasoningDelta).Text);
    }
}
