using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.Gemini;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.Gemini;

/// <summary>Gemini GenerateContentResponses as neutral updates: parts, signatures, finish reasons, usage.</summary>
public sealed class GeminiDecoderTests
{
    [Theory]
    [InlineData("""[{"candidates":[]}]""", "Malformed")]
    [InlineData("""not json""", "Malformed")]
    [InlineData("""{"error":{"code":429,"message":"busy"}}""", "UpstreamError")]
    [InlineData("""{}""", "Preamble")]
    public void Decode_Step(string data, string step)
    {
        Assert.Equal(Enum.Parse<StreamStep>(step), new GeminiDecoder("g").Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(data)), []));
    }

    [Fact]
    public void Decode_StartOnce_UsageFirst_SecondCandidateSkipped()
    {
        var decoder = new GeminiDecoder("g");
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"responseId":"r1","modelVersion":"gemini-x","usageMetadata":{"promptTokenCount":3},"candidates":[{"index":0,"content":{"parts":[{"text":"a"},"junk",{"text":""}]}},{"index":1,"content":{"parts":[{"text":"other"}]},"finishReason":"STOP"}]}""", updates);
        Decode(decoder, """{"responseId":"r2","candidates":[{"content":{"parts":[{"text":"b"}]},"finishReason":"MAX_TOKENS"}]}""", updates);

        Assert.Equal(["Start r1 gemini-x", "Usage 3/0", "Text a", "Text b", "Finish length"], Describe(updates));
    }

    [Fact]
    public void Decode_ThoughtsAndSignatures()
    {
        var decoder = new GeminiDecoder("g");
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"candidates":[{"content":{"parts":[{"text":"hm","thought":true},{"text":"","thought":true,"thoughtSignature":"S1"},{"text":"answer","thoughtSignature":"S2"},{"text":"x","thought":"yes"},{"thoughtSignature":""}]}}]}""", updates);

        Assert.Equal(["Start", "Reasoning hm", "Signature S1", "Text answer", "Signature S2", "Text x"], Describe(updates));
        Assert.Equal(Opaque.From("S1", ProviderKind.Gemini, "g"), updates[2].Opaque);
    }

    // Off for Anthropic clients: a signature on answer text would be a thinking block after the text.
    [Fact]
    public void Decode_TextSignaturesOff_OnlyThoughtsAndCallsKeepTheirs()
    {
        var decoder = new GeminiDecoder("g", textSignatures: false);
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"candidates":[{"content":{"parts":[{"text":"hm","thought":true,"thoughtSignature":"S1"},{"text":"answer","thoughtSignature":"S2"},{"thoughtSignature":"S3"},{"functionCall":{"id":"c1","name":"f","args":{"a":1}},"thoughtSignature":"S4"}]}}]}""", updates);

        Assert.Equal(["Start", "Reasoning hm", "Signature S1", "Text answer", "Signature S4", "Call 0 c1 f {\"a\":1} S4"], Describe(updates));
    }

    [Fact]
    public void Decode_FunctionCalls_IdsArgumentsAndIndexes()
    {
        var decoder = new GeminiDecoder("g");
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"candidates":[{"content":{"parts":[{"functionCall":{"id":"c1","name":"f","args":{"a":[1, 2]}}},{"functionCall":{"id":"","args":"not an object"}}]}}]}""", updates);
        Decode(decoder, """{"candidates":[{"content":{"parts":[{"functionCall":{"name":"g"}},{"functionCall":"not an object","text":"t"}]},"finishReason":"STOP"}]}""", updates);

        Assert.Equal("Call 0 c1 f {\"a\":[1, 2]} -", Describe(updates)[1]);
        Assert.StartsWith("Call 1 call_gm", Describe(updates)[2], StringComparison.Ordinal);
        Assert.EndsWith("  {} -", Describe(updates)[2], StringComparison.Ordinal);
        Assert.StartsWith("Call 2 call_gm", Describe(updates)[3], StringComparison.Ordinal);
        Assert.EndsWith(" g {} -", Describe(updates)[3], StringComparison.Ordinal);
        Assert.Equal(["Text t", "Finish stop"], Describe(updates)[4..]);
        Assert.Equal(29, updates[2].ToolId!.Length);
    }

    [Theory]
    [InlineData("""{"promptFeedback":{"blockReason":"SAFETY"}}""", "Start|Finish content_filter")]
    [InlineData("""{"promptFeedback":{"blockReason":""}}""", "Start")]
    [InlineData("""{"promptFeedback":{}}""", "Start")]
    [InlineData("""{"candidates":{"content":{}},"promptFeedback":{"blockReason":"OTHER"}}""", "Start|Finish content_filter")]
    [InlineData("""{"candidates":[],"promptFeedback":{"blockReason":"OTHER"}}""", "Start")]
    [InlineData("""{"candidates":[{"content":{"parts":{"text":"a"}},"finishReason":""}]}""", "Start")]
    [InlineData("""{"usageMetadata":"none","candidates":[{"index":"1","content":{"parts":[{"text":"a"}]}}]}""", "Start|Text a")]
    public void Decode_BlockedPromptsAndOddShapes(string data, string expected)
    {
        var updates = new List<ChatUpdate>();

        Decode(new GeminiDecoder("g"), data, updates);

        Assert.Equal(expected.Split('|'), Describe(updates));
    }

    [Theory]
    [InlineData("STOP", "stop")]
    [InlineData("FINISH_REASON_UNSPECIFIED", "stop")]
    [InlineData("OTHER", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("RECITATION", "content_filter")]
    [InlineData("BLOCKLIST", "content_filter")]
    [InlineData("PROHIBITED_CONTENT", "content_filter")]
    [InlineData("SPII", "content_filter")]
    [InlineData("LANGUAGE", "content_filter")]
    [InlineData("IMAGE_SAFETY", "content_filter")]
    [InlineData("IMAGE_PROHIBITED_CONTENT", "content_filter")]
    [InlineData("IMAGE_RECITATION", "content_filter")]
    [InlineData("MALFORMED_FUNCTION_CALL", "malformed_function_call")]
    public void FinishOf_InTheNeutralVocabulary(string gemini, string neutral)
    {
        Assert.Equal(neutral, GeminiDecoder.FinishOf(gemini).Value);
    }

    [Theory]
    [InlineData("""{"promptTokenCount":10,"toolUsePromptTokenCount":2,"cachedContentTokenCount":5,"candidatesTokenCount":3,"thoughtsTokenCount":4}""", 7, 7, 5, 4)]
    [InlineData("""{"promptTokenCount":10,"cachedContentTokenCount":50}""", 0, 0, 10, 0)]
    [InlineData("""{"promptTokenCount":-5,"toolUsePromptTokenCount":-1,"cachedContentTokenCount":-3,"candidatesTokenCount":-2,"thoughtsTokenCount":-7}""", 0, 0, 0, 0)]
    [InlineData("""{}""", 0, 0, 0, 0)]
    [InlineData("""{"candidatesTokenCount":6}""", 0, 6, 0, 0)]
    public void UsageOf_CachedIsAReadAndThoughtsAreOutput(string usage, int input, int output, int cacheRead, int reasoning)
    {
        using var document = JsonDocument.Parse(usage);

        Assert.Equal(new TokenUsage(input, output, false) { CacheReadTokens = cacheRead, ReasoningTokens = reasoning }, GeminiDecoder.UsageOf(document.RootElement));
    }

    [Theory]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"a"}]}}]}""", "Start|Text a|Finish stop")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"MAX_TOKENS"}]}""", "Start|Text a|Finish length")]
    [InlineData("""{"promptFeedback":{"blockReason":"SAFETY"}}""", "Start|Finish content_filter")]
    [InlineData("""{"promptFeedback":{}}""", "Start|Finish stop")]
    public void DecodeWhole_AlwaysEndsWithAFinish(string body, string expected)
    {
        var updates = new List<ChatUpdate>();

        Assert.True(new GeminiDecoder("g").DecodeWhole(Encoding.UTF8.GetBytes(body), updates));

        Assert.Equal(expected.Split('|'), Describe(updates));
    }

    [Theory]
    [InlineData("""{"usageMetadata":{"promptTokenCount":1}}""")]
    [InlineData("""{"error":{"message":"x"},"candidates":[]}""")]
    [InlineData("""["candidates"]""")]
    [InlineData("""{"candidates":""")]
    public void DecodeWhole_NotAnAnswer_IsFalse(string body)
    {
        var updates = new List<ChatUpdate>();

        Assert.False(new GeminiDecoder("g").DecodeWhole(Encoding.UTF8.GetBytes(body), updates));
        Assert.Empty(updates);
    }

    private static void Decode(GeminiDecoder decoder, string data, List<ChatUpdate> updates) =>
        Assert.Equal(StreamStep.Preamble, decoder.Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(data)), updates));

    private static List<string> Describe(List<ChatUpdate> updates) => [.. updates.Select(u => u.Kind switch
    {
        ChatUpdateKind.Start => u.ResponseId is null ? "Start" : $"Start {u.ResponseId} {u.Model}",
        ChatUpdateKind.Usage => $"Usage {u.Usage!.Value.PromptTokens}/{u.Usage.Value.CompletionTokens}",
        ChatUpdateKind.TextDelta => "Text " + u.Text,
        ChatUpdateKind.ReasoningDelta => "Reasoning " + u.Text,
        ChatUpdateKind.ReasoningSignature => "Signature " + u.Opaque!.Value,
        ChatUpdateKind.ToolCallStart => $"Call {u.ToolIndex} {u.ToolId} {u.ToolName} {u.Text} {u.Opaque?.Value ?? "-"}",
        ChatUpdateKind.Finish => "Finish " + u.Finish!.Value.Value,
        var other => other.ToString(),
    })];
}
