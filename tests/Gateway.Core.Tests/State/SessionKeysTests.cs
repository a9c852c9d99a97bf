using Gateway.State;
using Gateway.State.Tables;
using Xunit;

namespace Gateway.Tests.State;

public sealed class SessionKeysTests
{
    [Fact]
    public void For_ExplicitHeader_IsAHashThatSeparatesKeysAndModels()
    {
        var key = SessionKeys.For("alice", "gpt-4o", "s-1", "opencode", implicitSessions: false);

        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.DoesNotContain("s-1", key, StringComparison.Ordinal);
        Assert.Equal(key, SessionKeys.For("alice", "gpt-4o", "s-1", "claude-code", implicitSessions: false));
        Assert.NotEqual(key, SessionKeys.For("bob", "gpt-4o", "s-1", "opencode", implicitSessions: false));
        Assert.NotEqual(key, SessionKeys.For("alice", "gpt-4o-mini", "s-1", "opencode", implicitSessions: false));
        Assert.NotEqual(SessionKeys.For("a:b", "c", "s", "x", false), SessionKeys.For("a", "b:c", "s", "x", false));
    }

    [Fact]
    public void For_NoHeader_OnlyWithImplicitSessions()
    {
        Assert.Null(SessionKeys.For("newapi", "gpt-4o", null, "opencode", implicitSessions: false));
        Assert.Null(SessionKeys.For("newapi", "gpt-4o", "  ", "opencode", implicitSessions: false));
        var implicitKey = SessionKeys.For("newapi", "gpt-4o", null, "opencode", implicitSessions: true);
        Assert.NotNull(implicitKey);
        Assert.NotEqual(implicitKey, SessionKeys.For("newapi", "gpt-4o", null, "claude-code", implicitSessions: true));
    }

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("openai/gpt-4o", "openai%2Fgpt-4o")]
    [InlineData("a#b?c\\d%e", "a%23b%3Fc%5Cd%25e")]
    [InlineData("tab\there", "tab%09here")]
    public void TableKeys_EscapeForbiddenCharacters(string id, string expected)
    {
        Assert.Equal(expected, TableKeys.Encode(id));
    }

    [Fact]
    public void TableKeys_VeryLongIdsAreHashed()
    {
        var key = TableKeys.Encode(new string('x', 500));

        Assert.StartsWith("sha256-", key, StringComparison.Ordinal);
        Assert.True(key.Length < 100);
    }
}
