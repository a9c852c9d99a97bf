using Gateway.Endpoints;
using Xunit;

namespace Gateway.Tests.Endpoints;

public sealed class ChatEndpointTests
{
    // Regression: the OpenAI SDK's non-stream Responses calls send "application/json, text/event-stream"
    // and no stream field; they got a stream they could not parse.
    [Theory]
    [InlineData("text/event-stream", true)]
    [InlineData("Text/Event-Stream; charset=utf-8", true)]
    [InlineData(" text/event-stream , application/json", true)]
    [InlineData("application/json, text/event-stream", false)]
    [InlineData("*/*", false)]
    [InlineData("", false)]
    public void PrefersEventStream_OnlyWhenListedFirst(string accept, bool expected)
    {
        Assert.Equal(expected, ChatEndpoint.PrefersEventStream(accept));
    }
}
