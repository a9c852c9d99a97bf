using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Streaming;

/// <summary>Which call an upstream tool-call delta belongs to (SPEC §5 Tools), for the ways upstreams get it wrong.</summary>
public sealed class ToolCallIndexerTests
{
    [Fact]
    public void Resolve_SameIdOnEveryDelta_ContinuesTheCall()
    {
        var indexer = new ToolCallIndexer([]);

        var (first, isNew) = indexer.Resolve(0, "call_a", "read", custom: false);
        var (again, againNew) = indexer.Resolve(0, "call_a", null, custom: false);
        var (noIndex, noIndexNew) = indexer.Resolve(null, "call_a", null, custom: false);

        Assert.True(isNew);
        Assert.False(againNew || noIndexNew);
        Assert.Same(first, again);
        Assert.Same(first, noIndex);
        Assert.Equal((0, "call_a", "read"), (first.Index, first.Id, first.Name));
    }

    [Fact]
    public void Resolve_NewIdUnderARepeatedIndex_IsANewCall()
    {
        var indexer = new ToolCallIndexer([]);
        indexer.Resolve(0, "call_a", "read", custom: false);

        var (second, isNew) = indexer.Resolve(0, "call_b", "write", custom: false);

        Assert.True(isNew);
        Assert.Equal((1, "call_b", "write"), (second.Index, second.Id, second.Name));
        Assert.Equal(2, indexer.Count);
    }

    [Fact]
    public void Resolve_IdReusedUnderAnotherIndex_IsASecondCallWithAFreshId()
    {
        var indexer = new ToolCallIndexer([]);
        indexer.Resolve(0, "dup", "read", custom: false);

        var (second, isNew) = indexer.Resolve(1, "dup", "read", custom: false);

        Assert.True(isNew);
        Assert.Equal(1, second.Index);
        Assert.Equal("dup", second.UpstreamId);
        Assert.Matches("^call_[A-Za-z0-9]{24}$", second.Id);
    }

    [Fact]
    public void Resolve_IndexOnly_FindsTheLatestCallWithThatIndex()
    {
        var indexer = new ToolCallIndexer([]);
        indexer.Resolve(5, null, "a", custom: false);
        indexer.Resolve(7, null, "b", custom: true);

        var (call, isNew) = indexer.Resolve(5, null, null, custom: false);
        var (unknown, unknownNew) = indexer.Resolve(6, null, null, custom: false);

        Assert.False(isNew);
        Assert.Equal((0, "a", false), (call.Index, call.Name, call.Custom));
        Assert.True(unknownNew);
        Assert.Equal((2, string.Empty), (unknown.Index, unknown.Name));
    }

    [Fact]
    public void Resolve_NeitherIndexNorId_ContinuesTheLatestUnlessNamed()
    {
        var indexer = new ToolCallIndexer([]);
        var (none, noneNew) = indexer.Resolve(null, null, null, custom: false);
        var (continued, continuedNew) = indexer.Resolve(null, null, null, custom: false);
        var (named, namedNew) = indexer.Resolve(null, null, "other", custom: false);
        var (latest, latestNew) = indexer.Resolve(null, null, null, custom: false);

        Assert.True(noneNew);
        Assert.False(continuedNew);
        Assert.Same(none, continued);
        Assert.True(namedNew);
        Assert.Equal(1, named.Index);
        Assert.False(latestNew);
        Assert.Same(named, latest);
    }

    [Fact]
    public void Resolve_IdsAlreadyUsedInTheResponse_AreReplaced()
    {
        var used = new HashSet<string> { "call_taken" };
        var indexer = new ToolCallIndexer(used);

        var (call, _) = indexer.Resolve(0, "call_taken", "f", custom: false);
        var (own, _) = indexer.Resolve(1, "call_free", "g", custom: false);

        Assert.NotEqual("call_taken", call.Id);
        Assert.Equal("call_free", own.Id);
        Assert.Contains(call.Id, used);
        Assert.Contains("call_free", used);
    }

    [Fact]
    public void NewUniqueId_IsAFreshOpenAIStyleId()
    {
        var used = new HashSet<string>();

        var ids = Enumerable.Range(0, 100).Select(_ => ToolCallIndexer.NewUniqueId(used)).ToList();

        Assert.All(ids, id => Assert.Matches("^call_[A-Za-z0-9]{24}$", id));
        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(100, used.Count);
    }
}
