using System.Text;
using Gateway.Json;
using Xunit;

namespace Gateway.Tests.Json;

public sealed class JsonObjectRewriterTests
{
    [Fact]
    public void ToMemory_TypedSetters_WriteTheirValues()
    {
        var rewriter = new JsonObjectRewriter(Index("""{"model":"a","stream":false,"x":{"k":1}}"""))
            .SetString("model", "b \"quoted\" é")
            .SetTrue("stream")
            .SetRaw("x", Encoding.UTF8.GetBytes("""{"include_usage":true}"""))
            .SetRaw("y", Encoding.UTF8.GetBytes("[1,2]"));

        Assert.Equal("""{"model":"b \"quoted\" é","stream":true,"x":{"include_usage":true},"y":[1,2]}""", Text(rewriter));
    }

    [Fact]
    public void ToMemory_NameChangedTwice_KeepsItsFirstPlaceAndLastValue()
    {
        var rewriter = new JsonObjectRewriter(Index("""{"a":1,"b":2}"""))
            .SetString("new1", "first")
            .Remove("a")
            .SetString("new2", "x")
            .SetTrue("new1")
            .SetString("a", "back");

        Assert.Equal("""{"a":"back","b":2,"new1":true,"new2":"x"}""", Text(rewriter));
    }

    [Fact]
    public void ToMemory_RemovedThenNothing_DropsTheMemberAndAppendsNothing()
    {
        var rewriter = new JsonObjectRewriter(Index("""{"a":1,"b":2}""")).Remove("b").Remove("absent");

        Assert.Equal("""{"a":1}""", Text(rewriter));
    }

    // The writer is reused per thread: a rewrite inside another's callback gets its own, and both come out whole.
    [Fact]
    public void ToMemory_RewriteInsideACallback_WritesBoth()
    {
        var inner = new JsonObjectRewriter(Index("""{"k":1}""")).SetString("k", "v");
        var outer = new JsonObjectRewriter(Index("""{"a":1,"b":2}"""))
            .Set("a", w => w.WriteRawValue(inner.ToMemory().Span, skipInputValidation: true));

        Assert.Equal("""{"a":{"k":"v"},"b":2}""", Text(outer));
        Assert.Equal("""{"a":{"k":"v"},"b":2}""", Text(outer));
    }

    [Fact]
    public void ToMemory_CallbackThrows_NextRewriteOnTheThreadIsWhole()
    {
        var failing = new JsonObjectRewriter(Index("""{"a":1}""")).Set("a", w =>
        {
            w.WriteStartArray();
            throw new InvalidOperationException("boom");
        });

        Assert.Throws<InvalidOperationException>(() => failing.ToMemory());
        Assert.Equal("""{"a":"ok"}""", Text(new JsonObjectRewriter(Index("""{"a":1}""")).SetString("a", "ok")));
    }

    private static JsonObjectIndex Index(string json)
    {
        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes(json), out var index, out _));
        return index!;
    }

    private static string Text(JsonObjectRewriter rewriter) => Encoding.UTF8.GetString(rewriter.ToMemory().Span);
}
