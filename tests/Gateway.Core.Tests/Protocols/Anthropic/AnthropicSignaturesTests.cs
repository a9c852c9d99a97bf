using System.Text;
using Gateway.Chat;
using Gateway.Protocols.Anthropic;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>The origin rule on the Anthropic byte path: signatures tagged on the way out, untagged or dropped on the way back.</summary>
public sealed class AnthropicSignaturesTests
{
    private static readonly string P = Opaque.ProviderHash("p");

    [Theory]
    [InlineData("""{"delta":{"type":"signature_delta","signature":"x"}}""", true)]
    [InlineData("""{"signatures":1}""", true)]
    [InlineData("""{"content_block":{"type":"redacted_thinking","data":"x"}}""", true)]
    [InlineData("""{"content_block":{"type":"text","text":"redacted_thinking signature"}}""", false)]
    [InlineData("""{"type":"redacted_thinking_x"}""", false)]
    [InlineData("", false)]
    [InlineData("\"signature", true)]
    [InlineData("\"redacted_thinking\"", true)]
    public void MayNeedTagging_LooksForASignatureKeyOrARedactedBlockType(string json, bool expected)
    {
        Assert.Equal(expected, AnthropicSignatures.MayNeedTagging(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData(
        """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":"SIG"}}""",
        """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":"gw1~a{p}~SIG"}}""")]
    [InlineData(
        """{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"RED"}}""",
        """{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"gw1~a{p}~RED"}}""")]
    [InlineData(
        """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"S+/="}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"gw1~a{p}~S+/="}}""")]
    [InlineData(
        """{"type":"message","content":[{"type":"text","text":"<a>"},{"type":"thinking","thinking":"t","signature":"A"},{"type":"redacted_thinking","data":"B"}]}""",
        """{"type":"message","content":[{"type":"text","text":"<a>"},{"type":"thinking","thinking":"t","signature":"gw1~a{p}~A"},{"type":"redacted_thinking","data":"gw1~a{p}~B"}]}""")]
    [InlineData(
        """{"type":"message_start","message":{"content":[{"type":"thinking","thinking":"t","signature":"A"}]}}""",
        """{"type":"message_start","message":{"content":[{"type":"thinking","thinking":"t","signature":"gw1~a{p}~A"}]}}""")]
    [InlineData(
        """{"type":"message","content":[{"type":"thinking","signature":"gw1~a1~A"},{"type":"thinking","signature":"B"}]}""",
        """{"type":"message","content":[{"type":"thinking","signature":"gw1~a1~A"},{"type":"thinking","signature":"gw1~a{p}~B"}]}""")]
    public void Tag_TagsEverySignatureAndRedactedPayloadWithTheProvider(string json, string expected)
    {
        Assert.Equal(expected.Replace("{p}", P, StringComparison.Ordinal), Tag(json));
    }

    // Nothing to tag: the same bytes come back (spacing included), not a re-serialization.
    [Theory]
    [InlineData("""[ {"type":"thinking","signature":"A"} ]""")]
    [InlineData("""{ "content_block": {"type":"thinking","signature":"gw1~a1~A"} }""")]
    [InlineData("""{ "content_block": {"type":"thinking","signature":""} }""")]
    [InlineData("""{ "content_block": {"type":"thinking","signature":5} }""")]
    [InlineData("""{ "content_block": {"type":"thinking"} }""")]
    [InlineData("""{ "content_block": {"type":"text","signature":"A","data":"B"} }""")]
    [InlineData("""{ "content_block": {"type":"redacted_thinking","signature":"A"} }""")]
    [InlineData("""{ "content_block": ["thinking"], "delta": "x", "content": {"type":"thinking","signature":"A"} }""")]
    [InlineData("""{ "delta": {"type":"thinking_delta","thinking":"t","signature":"A"} }""")]
    [InlineData("""{ "content": [ "x", {"type":"tool_use","input":{"type":"thinking","signature":"A"}} ] }""")]
    [InlineData("""{ "message": {"content_block":{"type":"thinking","signature":"A"}} }""")]
    [InlineData("""{ "message": ["content", {"type":"thinking","signature":"A"}] }""")]
    [InlineData("""{ "message": "signature", "content_block": {"type":"text"} }""")]
    public void Tag_NothingToTag_SameBytes(string json)
    {
        Assert.Equal(json, Tag(json));
    }

    [Fact]
    public void ForTarget_NoTaggedValue_NothingChanges()
    {
        Assert.Equal((null, false), ForTarget("""[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"SIG"}]}]"""));
        Assert.Equal((null, false), ForTarget("""{"x":"gw1~a1~S"}"""));
    }

    [Fact]
    public void ForTarget_OwnValuesUntagged_OthersBlocksRemoved_UntaggedKept()
    {
        var messages = $$"""
            [{"role":"user","content":[{"type":"text","text":"q","signature":"gw1~o1~X"}]},
             {"role":"assistant","content":[
               {"type":"thinking","thinking":"mine","signature":"gw1~a{{P}}~S1"},
               {"type":"redacted_thinking","data":"gw1~a{{P}}~R1"},
               {"type":"thinking","thinking":"other","signature":"gw1~a0000~S2"},
               {"type":"redacted_thinking","data":"gw1~o{{P}}~R2"},
               {"type":"thinking","thinking":"kind only","signature":"gw1~a~S3"},
               {"type":"thinking","thinking":"plain","signature":"S4"},
               {"type":"thinking","thinking":"no signature"},
               "loose",
               {"type":"text","text":"a"}]}]
            """;

        var (cleaned, lost) = ForTarget(messages);

        Assert.False(lost);
        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"q","signature":"gw1~o1~X"}]},{"role":"assistant","content":[{"type":"thinking","thinking":"mine","signature":"S1"},{"type":"redacted_thinking","data":"R1"},{"type":"thinking","thinking":"kind only","signature":"gw1~a~S3"},{"type":"thinking","thinking":"plain","signature":"S4"},{"type":"thinking","thinking":"no signature"},"loose",{"type":"text","text":"a"}]}]""",
            cleaned);
    }

    [Fact]
    public void ForTarget_MessagesLeftEmpty_AreRemoved_OthersUntouched()
    {
        var (cleaned, lost) = ForTarget("""
            [{"role":"user","content":"q"},
             {"role":"assistant","content":[{"type":"redacted_thinking","data":"gw1~a0000~R"}]},
             "x",
             {"role":"user","content":[]},
             {"role":"assistant","content":[{"type":"text","text":"a"}]}]
            """);

        Assert.False(lost);
        Assert.Equal("""[{"role":"user","content":"q"},"x",{"role":"assistant","content":[{"type":"text","text":"a"}]}]""", cleaned);
    }

    [Fact]
    public void ForTarget_LastAssistantToolTurnLosesItsLeadingThinking_ThinkingLost()
    {
        var (cleaned, lost) = ForTarget("""
            [{"role":"user","content":"q"},
             {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"gw1~a0000~S"},{"type":"tool_use","id":"t1","name":"f","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]
            """);

        Assert.True(lost);
        Assert.Equal("""[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]""", cleaned);
    }

    [Theory]
    // No tool call in the last assistant turn.
    [InlineData("""[{"role":"assistant","content":[{"type":"thinking","signature":"gw1~a0000~S"},{"type":"text","text":"a"}]}]""")]
    // Still starts with a thinking block it keeps (its own), or a redacted one.
    [InlineData("""[{"role":"assistant","content":[{"type":"thinking","signature":"gw1~a{p}~S"},{"type":"thinking","signature":"gw1~a0000~S"},{"type":"tool_use","id":"t","name":"f","input":{}}]}]""")]
    [InlineData("""[{"role":"assistant","content":[{"type":"redacted_thinking","data":"D"},{"type":"thinking","signature":"gw1~a0000~S"},{"type":"tool_use","id":"t","name":"f","input":{}}]}]""")]
    // Nothing removed from the last assistant turn (an earlier one lost its thinking).
    [InlineData("""[{"role":"assistant","content":[{"type":"thinking","signature":"gw1~a0000~S"},{"type":"tool_use","id":"t","name":"f","input":{}}]},{"role":"user","content":"r"},{"role":"assistant","content":[{"type":"tool_use","id":"u","name":"f","input":{}}]}]""")]
    // A user turn that loses a block and calls a tool is not an assistant turn.
    [InlineData("""[{"role":"user","content":[{"type":"thinking","signature":"gw1~a0000~S"},{"type":"tool_use","id":"t","name":"f","input":{}}]}]""")]
    public void ForTarget_ThinkingNotLost(string messages)
    {
        var (cleaned, lost) = ForTarget(messages.Replace("{p}", P, StringComparison.Ordinal));

        Assert.NotNull(cleaned);
        Assert.False(lost);
    }

    // The last assistant turn with blocks decides; one with string content is passed over.
    [Fact]
    public void ForTarget_LastAssistantWithStringContent_TheOneBeforeItDecides()
    {
        var (_, lost) = ForTarget("""
            [{"role":"assistant","content":[{"type":"thinking","signature":"gw1~a0000~S"},{"type":"tool_use","id":"t","name":"f","input":{}}]},
             {"role":"assistant","content":"later"}]
            """);

        Assert.True(lost);
    }

    private static string Tag(string json) => Encoding.UTF8.GetString(AnthropicSignatures.Tag(Encoding.UTF8.GetBytes(json), "p").Span);

    private static (string? Messages, bool ThinkingLost) ForTarget(string json)
    {
        var (messages, lost) = AnthropicSignatures.ForTarget(Encoding.UTF8.GetBytes(json), "p");
        return (messages?.ToJsonString(), lost);
    }
}
