using System.Text;
using Gateway.Configuration;
using Gateway.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Streaming;

/// <summary>The timers of one stream on a fake clock: commit after holdback, keep-alives, first-byte and idle timeouts.</summary>
public sealed class StreamClockTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryStream _body = new();
    private readonly SseResponseWriter _writer;

    public StreamClockTests()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = _body;
        _writer = new SseResponseWriter(context.Response, _time, ": keep-alive\n\n"u8.ToArray());
    }

    private int KeepAlives => Encoding.UTF8.GetString(_body.ToArray()).Split(": keep-alive\n\n").Length - 1;

    [Fact]
    public async Task WaitAsync_LongHoldback_CommitsAfterCommitAfterSecondsThenKeepsAlive()
    {
        var clock = Clock(commitAfter: 5, keepAlive: 10);
        var operation = new TaskCompletionSource();

        var wait = clock.WaitAsync(operation.Task, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Delay(50);
        Assert.False(_writer.Committed);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        await UntilAsync(() => KeepAlives == 1);
        Assert.True(_writer.Committed);
        Assert.False(_writer.DataWritten);

        _time.Advance(TimeSpan.FromSeconds(9.9));
        await Task.Delay(50);
        Assert.Equal(1, KeepAlives);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await UntilAsync(() => KeepAlives == 2);

        operation.SetResult();
        Assert.Equal(WaitOutcome.Completed, await wait);
        Assert.Equal(2, KeepAlives);
    }

    [Fact]
    public async Task WaitAsync_AfterData_KeepAliveCountsFromTheLastWrite()
    {
        var clock = Clock(commitAfter: 100, keepAlive: 10);
        await _writer.WriteAsync([new SseFrame("{}"u8.ToArray())], CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(4));
        var operation = new TaskCompletionSource();

        var wait = clock.WaitAsync(operation.Task, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(5.9));
        await Task.Delay(50);
        Assert.Equal(0, KeepAlives);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await UntilAsync(() => KeepAlives == 1);

        operation.SetResult();
        Assert.Equal(WaitOutcome.Completed, await wait);
    }

    [Fact]
    public async Task WaitAsync_NoContentBeforeTheDeadline_IsFirstByteTimeout()
    {
        var clock = Clock(commitAfter: 100, keepAlive: 100);
        clock.FirstContentDeadline = _time.GetTimestamp() + (3 * _time.TimestampFrequency);
        var operation = new TaskCompletionSource();

        var wait = clock.WaitAsync(operation.Task, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal(WaitOutcome.FirstByteTimeout, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(_writer.Committed);
    }

    [Fact]
    public async Task WaitAsync_NoUpstreamReadForIdleTimeout_IsIdleTimeout()
    {
        var clock = Clock(commitAfter: 100, keepAlive: 100);
        using var upstream = new ReadActivityStream(new MemoryStream([1, 2, 3]), _time);
        clock.Body = upstream;
        clock.IdleTimeout = TimeSpan.FromSeconds(4);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(3, await upstream.ReadAsync(new byte[8])); // an upstream read resets the idle timer
        var operation = new TaskCompletionSource();

        var wait = clock.WaitAsync(operation.Task, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(3.9));
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal(WaitOutcome.IdleTimeout, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitAsync_IdleTimeoutWithoutABody_DoesNotApply()
    {
        var clock = Clock(commitAfter: 100, keepAlive: 100);
        clock.IdleTimeout = TimeSpan.FromSeconds(1);
        var operation = new TaskCompletionSource();

        var wait = clock.WaitAsync(operation.Task, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(50));
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        operation.SetResult();
        Assert.Equal(WaitOutcome.Completed, await wait);
    }

    [Fact]
    public async Task WaitAsync_ShutdownGraceOver_IsShutdown()
    {
        using var shutdown = new CancellationTokenSource();
        var clock = new StreamClock(_writer, new StreamingOptions { CommitAfterSeconds = 100, KeepAliveSeconds = 100 }, _time, _time.GetTimestamp(), shutdown.Token);

        var wait = clock.WaitAsync(new TaskCompletionSource().Task, CancellationToken.None).AsTask();
        await shutdown.CancelAsync();

        Assert.Equal(WaitOutcome.Shutdown, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitAsync_OperationThatFails_IsCompletedForTheCallerToAwait()
    {
        var clock = Clock(commitAfter: 100, keepAlive: 100);
        var operation = new TaskCompletionSource();

        var wait = clock.WaitAsync(operation.Task, CancellationToken.None).AsTask();
        operation.SetException(new IOException("reset"));

        Assert.Equal(WaitOutcome.Completed, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WaitOutcome.Completed, await clock.WaitAsync(operation.Task, CancellationToken.None));
    }

    private StreamClock Clock(double commitAfter, double keepAlive) =>
        new(_writer, new StreamingOptions { CommitAfterSeconds = commitAfter, KeepAliveSeconds = keepAlive }, _time, _time.GetTimestamp(), CancellationToken.None);

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 10 s");
            await Task.Delay(5);
        }

        // Let the clock's loop finish the step that made the condition true (it records the write time after the write).
        await Task.Delay(50);
    }
}
