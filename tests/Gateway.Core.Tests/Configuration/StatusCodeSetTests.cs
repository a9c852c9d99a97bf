using Gateway.Configuration;
using Xunit;

namespace Gateway.Tests.Configuration;

public sealed class StatusCodeSetTests
{
    [Fact]
    public void TryParse_CodesAndRanges()
    {
        Assert.True(StatusCodeSet.TryParse("408, 429,500,502-504", out var set, out _));

        Assert.All(new[] { 408, 429, 500, 502, 503, 504 }, code => Assert.True(set.Contains(code)));
        Assert.All(new[] { 400, 401, 501, 505, 599, 0, 700 }, code => Assert.False(set.Contains(code)));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99")]
    [InlineData("600")]
    [InlineData("504-502")]
    [InlineData("500-")]
    public void TryParse_RejectsBadEntries(string text)
    {
        Assert.False(StatusCodeSet.TryParse(text, out _, out var error));
        Assert.NotNull(error);
    }
}
