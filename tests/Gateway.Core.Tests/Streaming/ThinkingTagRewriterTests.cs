using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Streaming;

public sealed class ThinkingTagRewriterTests
{
    [Theory]
    [InlineData("<thinking>plan</thinking>answer", "<think>plan</think>answer")]
    [InlineData("a<thinking>b</thinking>c<thinking>d</thinking>e", "a<think>b</think>c<think>d</think>e")]
    [InlineData("x < y and <thinkin", "x < y and <thinkin")]
    [InlineData("<thinking>never closed", "<think>never closed</think>")]
    [InlineData("<thinking>half </thinki", "<think>half </thinki</think>")]
    [InlineData("no tags at all", "no tags at all")]
    [InlineData("<<thinking>>", "<<think>></think>")]
    public void Process_EverySplitPoint_GivesTheSameResult(string input, string expected)
    {
        for (var cut = 0; cut <= input.Length; cut++)
        {
            for (var cut2 = cut; cut2 <= input.Length; cut2++)
            {
                var rewriter = new ThinkingTagRewriter();
                var output = rewriter.Process(input[..cut]) + rewriter.Process(input[cut..cut2]) + rewriter.Process(input[cut2..]) + rewriter.Flush();
                Assert.True(expected == output, $"cuts {cut},{cut2}: '{output}'");
            }
        }
    }

    [Fact]
    public void Process_HoldsBackOnlyAPossibleTagPrefix()
    {
        var rewriter = new ThinkingTagRewriter();

        Assert.Equal("text ", rewriter.Process("text <thi"));
        Assert.True(rewriter.HasHeldText);
        Assert.Equal("<think>", rewriter.Process("nking>"));
        Assert.False(rewriter.HasHeldText);
        Assert.True(rewriter.Inside);
    }

    [Fact]
    public void Flush_ClosesOnceAndIsIdempotent()
    {
        var rewriter = new ThinkingTagRewriter();
        rewriter.Process("<thinking>x");

        Assert.Equal("</think>", rewriter.Flush());
        Assert.Equal(string.Empty, rewriter.Flush());
        Assert.Equal("late", rewriter.Process("late"));
    }

    [Fact]
    public void RewriteAll_MatchesStreamingResult()
    {
        Assert.Equal("<think>a</think>b", ThinkingTagRewriter.RewriteAll("<thinking>a</thinking>b"));
    }
}
