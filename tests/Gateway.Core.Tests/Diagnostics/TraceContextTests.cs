using Gateway.Diagnostics;
using Xunit;

namespace Gateway.Tests.Diagnostics;

public sealed class TraceContextTests
{
    [Fact]
    public void Continue_ValidTraceparent_KeepsTraceAndFlagsWithNewSpan()
    {
        var context = TraceContext.Continue("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        var header = context.ToTraceParent().Split('-');
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", header[1]);
        Assert.NotEqual("00f067aa0ba902b7", header[2]);
        Assert.Equal("01", header[3]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")]
    public void Continue_InvalidTraceparent_StartsNewTrace(string? header)
    {
        var context = TraceContext.Continue(header);

        Assert.NotEqual("4bf92f3577b34da6a3ce929d0e0e4736", context.TraceId.ToHexString());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", context.ToTraceParent());
    }
}
