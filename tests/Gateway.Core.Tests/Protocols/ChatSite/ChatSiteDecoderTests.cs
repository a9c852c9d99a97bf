using System.Text;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Protocols.ChatSite;
using Gateway.Routing;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.ChatSite;

/// <summary>A chat site's UI message stream and whole answers as neutral updates, and the site's session ids.</summary>
public sealed class ChatSiteDecoderTests
{
    [Fact]
    public void Decode_Stream_StartTextReasoningFinish()
    {
        var request = Request();
        var decoder = new ChatSiteDecoder(request, nonce: "n1");
        var updates = new List<ChatUpdate>();

        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"start","messageMetadata":{"sessionId":"s1","exchangeId":"e1"}}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"text-delta","delta":"a"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"text","textDelta":"b"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"text-delta","text":"c"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"text-delta","delta":""}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"text-delta"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"reasoning-delta","delta":"r"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"reasoning","text":"s"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"reasoning-delta","delta":""}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"tool-input-start","delta":"ignored"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"finish","finishReason":"length"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"text-delta","delta":"late"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"reasoning-delta","delta":"late"}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"type":"finish","finishReason":"stop"}""", updates));

        Assert.Equal(["Start+", "Text:a", "Text:b", "Text:c", "Reasoning:r", "Reasoning:s", "Finish:length"], Describe(updates));
        Assert.Equal(new SiteSession("s1", "e1", 0, "n1"), request.AnsweredSiteSession);
    }

    [Theory]
    [InlineData("""{"type":"error","errorText":"x"}""", "UpstreamError")]
    [InlineData("""{"type":"abort"}""", "UpstreamError")]
    [InlineData("""{"delta":"x"}""", "Malformed")]
    [InlineData("""{"type":5}""", "Malformed")]
    [InlineData("""["type"]""", "Malformed")]
    [InlineData("\"start\"", "Malformed")]
    public void Decode_ErrorsAndFramesWithoutAType(string data, string step)
    {
        var updates = new List<ChatUpdate>();

        Assert.Equal(Enum.Parse<StreamStep>(step), Decode(new ChatSiteDecoder(Request()), data, updates));
        Assert.Empty(updates);
    }

    [Theory]
    [InlineData("length", "length")]
    [InlineData("content-filter", "content_filter")]
    [InlineData("content_filter", "content_filter")]
    [InlineData("stop", "stop")]
    [InlineData("tool-calls", "stop")]
    [InlineData(null, "stop")]
    public void Decode_FinishReason(string? reason, string expected)
    {
        var updates = new List<ChatUpdate>();
        var frame = reason is null ? """{"type":"finish"}""" : $$"""{"type":"finish","finishReason":"{{reason}}"}""";

        Decode(new ChatSiteDecoder(Request()), frame, updates);

        Assert.Equal(["Finish:" + expected], Describe(updates));
    }

    // PromptTags: text in <thinking> tags is reasoning; a tag cut across frames is held, the rest flushed at the finish.
    [Fact]
    public void Decode_ThinkingTags_BecomeReasoning()
    {
        var decoder = new ChatSiteDecoder(Request());
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"type":"text-delta","delta":"<thinking>hm</thin"}""", updates);
        Decode(decoder, """{"type":"text-delta","delta":"king>ok <thi"}""", updates);
        Decode(decoder, """{"type":"finish"}""", updates);

        Assert.Equal(["Reasoning:hm", "Text:ok ", "Text:<thi", "Finish:stop"], Describe(updates));
    }

    [Fact]
    public void Decode_SessionIds_FromMetadataOrTheFrame_MergedWithWhatIsKnown()
    {
        var request = Request();
        var decoder = new ChatSiteDecoder(request);
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"type":"start","messageMetadata":{"session_id":"s1"},"exchangeId":"ignored"}""", updates);
        Assert.Equal(new SiteSession("s1", null, 0), request.AnsweredSiteSession);

        Decode(decoder, """{"type":"message-metadata","messageMetadata":{"exchange_id":"e1"}}""", updates);
        Assert.Equal(new SiteSession("s1", "e1", 0), request.AnsweredSiteSession);

        Decode(decoder, """{"type":"finish","sessionId":"s2","messageMetadata":"not an object"}""", updates);
        Assert.Equal(new SiteSession("s2", "e1", 0), request.AnsweredSiteSession);

        Decode(decoder, """{"type":"message-metadata","messageMetadata":{}}""", updates);
        Assert.Equal(new SiteSession("s2", "e1", 0), request.AnsweredSiteSession);
        Assert.Equal(["Start+", "Finish:stop"], Describe(updates));
    }

    [Fact]
    public void Decode_SessionWithAUse_RecordsThisTurnsConversationAndTools()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("q")]));
        var use = SiteSessionUse.For(null, conversation, [new ToolDefinition("f", null, null)]);
        var request = Request();

        Decode(new ChatSiteDecoder(request, use, "n1"), """{"type":"start","messageMetadata":{"exchangeId":"e1"}}""", []);

        Assert.Equal(use.Answered(null, "e1", "n1"), request.AnsweredSiteSession);
        Assert.NotNull(request.AnsweredSiteSession!.Context);
        Assert.NotNull(request.AnsweredSiteSession.Tools);
    }

    [Theory]
    [InlineData("""{"content":"<thinking>t</thinking>answer","session_id":"s1"}""", "Start+|Reasoning:t|Text:answer|Finish:stop")]
    [InlineData("""{"text":"answer","finishReason":"length"}""", "Start+|Text:answer|Finish:length")]
    [InlineData("""{"content":"c","text":"t"}""", "Start+|Text:c|Finish:stop")]
    [InlineData("""{"content":5,"text":"t"}""", "Start+|Text:t|Finish:stop")]
    [InlineData("""{"parts":[{"type":"reasoning","text":"r1"},{"type":"text","text":"a"},{"text":"b"},{"type":"tool","text":"x"},{"type":"reasoning","text":"r2"}]}""", "Start+|Reasoning:r1r2|Text:ab|Finish:stop")]
    [InlineData("""{"parts":[{"type":"text","text":"a"}],"finishReason":"content-filter"}""", "Start+|Text:a|Finish:content_filter")]
    [InlineData("""{"parts":[]}""", "Start+|Finish:stop")]
    public void DecodeWhole_ContentTextOrParts(string body, string expected)
    {
        var updates = new List<ChatUpdate>();

        Assert.True(new ChatSiteDecoder(Request()).DecodeWhole(Encoding.UTF8.GetBytes(body), updates));

        Assert.Equal(expected.Split('|'), Describe(updates));
    }

    [Theory]
    [InlineData("""{"error":"x","content":"a"}""")]
    [InlineData("""{"parts":{"type":"text","text":"a"}}""")]
    [InlineData("""{"answer":"a"}""")]
    [InlineData("""["content"]""")]
    public void DecodeWhole_NoAnswer_IsFalse(string body)
    {
        var request = Request();
        var updates = new List<ChatUpdate>();

        Assert.False(new ChatSiteDecoder(request).DecodeWhole(Encoding.UTF8.GetBytes(body), updates));
        Assert.Empty(updates);
    }

    [Fact]
    public void DecodeWhole_SessionIdsFromTheBody()
    {
        var request = Request();

        Assert.True(new ChatSiteDecoder(request, nonce: "n").DecodeWhole("""{"text":"a","sessionId":"s1","exchange_id":"e1"}"""u8, []));

        Assert.Equal(new SiteSession("s1", "e1", 0, "n"), request.AnsweredSiteSession);
    }

    [Theory]
    [InlineData("""{"errorText":"Invalid API key","message":"m"}""", "Auth")]
    [InlineData("""{"message":"billing problem"}""", "Auth")]
    [InlineData("""{"error":"unauthorized"}""", "Auth")]
    [InlineData("""{"error":{"message":"quota exceeded"}}""", "Auth")]
    [InlineData("""{"errorText":"busy","error":"api key"}""", "BadResponse")]
    [InlineData("""{"error":{"code":"api key"}}""", "BadResponse")]
    [InlineData("""["api key"]""", "BadResponse")]
    [InlineData("api key", "BadResponse")]
    [InlineData("{\"message\":\"api key", "BadResponse")]
    public void FailureOf_MessageFromTheUsualMembers(string body, string kind)
    {
        var failure = new ChatSiteDecoder(Request()).FailureOf(Encoding.UTF8.GetBytes(body), 502, "detail");

        Assert.Equal(new UpstreamFailure(Enum.Parse<FailureKind>(kind), 502, "detail"), failure);
    }

    internal static ChatRequest Request() => TestRequests.Of(stream: true);

    private static StreamStep Decode(ChatSiteDecoder decoder, string data, List<ChatUpdate> updates) =>
        decoder.Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(data)), updates);

    private static List<string> Describe(List<ChatUpdate> updates) => [.. updates.Select(u => u.Kind switch
    {
        ChatUpdateKind.Start => u.AnnouncesRole ? "Start+" : "Start",
        ChatUpdateKind.TextDelta => "Text:" + u.Text,
        ChatUpdateKind.ReasoningDelta => "Reasoning:" + u.Text,
        ChatUpdateKind.Finish => "Finish:" + u.Finish!.Value.Value,
        var other => other.ToString(),
    })];
}
