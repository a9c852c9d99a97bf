using System.Diagnostics;
using Gateway.Diagnostics;
using Xunit;

namespace Gateway.Tests.Diagnostics;

public sealed class GatewayTracingTests
{
    [Fact]
    public void StartRequest_ValidTraceparent_ContinuesTheTraceWithANewSpan()
    {
        GatewayTracing.StartRequest("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "POST", "v1/chat/completions", out var parent)?.Dispose();

        var header = GatewayTracing.TraceParentWithoutSpan(parent).Split('-');
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
    [InlineData("00-zzzz")]
    public void StartRequest_InvalidTraceparent_StartsANewTrace(string? header)
    {
        GatewayTracing.StartRequest(header, "POST", "v1/chat/completions", out var parent)?.Dispose();

        var traceparent = GatewayTracing.TraceParentWithoutSpan(parent);
        Assert.DoesNotContain("4bf92f3577b34da6a3ce929d0e0e4736", traceparent, StringComparison.Ordinal);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", traceparent);
        Assert.NotEqual("00000000000000000000000000000000", traceparent.Split('-')[1]);
    }

    [Fact]
    public void StartRequest_WithAListener_IsAServerSpanChildOfTheCaller()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayTracing.SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        using var span = GatewayTracing.StartRequest("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "POST", "v1/chat/completions", out _);

        Assert.NotNull(span);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("POST /v1/chat/completions", span.DisplayName);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", span.TraceId.ToHexString());
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId.ToHexString());
        Assert.Equal(span.Id, GatewayTracing.UpstreamTraceParent("fallback"));
    }
}
