using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Diagnostics;

/// <summary>Spans on the gateway's ActivitySource, as a trace viewer would get them through an exporter.</summary>
public sealed class TracingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailedOverRequest_IsOneServerSpanWithAClientSpanPerAttempt(bool stream)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Gateway",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId.ToHexString() == traceId)
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Json("""{"error":{"message":"overloaded","type":"server_error"}}""", status: 503);
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        var (response, _, raw) = await gateway.Client.StreamAsync(stream ? Requests.HelloStream : Requests.Hello, r => r.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01"));
        await gateway.Logs.WaitForRequestLineAsync();
        await SharedStateWait.UntilAsync(() => stopped.Any(s => s.Kind == ActivityKind.Server));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = Assert.Single(stopped, s => s.Kind == ActivityKind.Server);
        var attempts = stopped.Where(s => s.Kind == ActivityKind.Client).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal("POST /v1/chat/completions", server.DisplayName);
        Assert.Equal(callerSpan, server.ParentSpanId.ToHexString());
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, s => Assert.Equal(server.SpanId, s.ParentSpanId));
        Assert.Equal("chat fake-model", attempts[0].DisplayName);
        Assert.Equal("a", attempts[0].GetTagItem("gateway.provider"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("retryable_status", attempts[0].GetTagItem("error.type"));
        Assert.Equal(503, attempts[0].GetTagItem("http.response.status_code"));
        Assert.Equal("b", attempts[1].GetTagItem("gateway.provider"));
        Assert.Equal(ActivityStatusCode.Unset, attempts[1].Status);
        Assert.Equal("chat", attempts[1].GetTagItem("gen_ai.operation.name"));
        Assert.Equal("gpt-test", server.GetTagItem("gen_ai.request.model"));
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));
        Assert.Equal(2, server.GetTagItem("gateway.attempts"));

        // Each upstream saw its own attempt's span as the parent: the trace viewer links the calls.
        Assert.Equal($"00-{traceId}-{attempts[0].SpanId.ToHexString()}-01", a.Requests[0].Header("traceparent"));
        Assert.Equal($"00-{traceId}-{attempts[1].SpanId.ToHexString()}-01", b.Requests[0].Header("traceparent"));

        // No prompt text in any span.
        Assert.All(stopped, s => Assert.DoesNotContain(s.TagObjects, t => t.Value is string text && text.Contains("hello", StringComparison.Ordinal)));
        Assert.Contains("echo", raw, StringComparison.Ordinal);
    }
}
