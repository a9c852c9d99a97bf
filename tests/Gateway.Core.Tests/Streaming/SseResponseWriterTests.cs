using System.Text;
using Gateway.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Streaming;

public sealed class SseResponseWriterTests
{
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    [Theory]
    [InlineData("{}", "data: {}\n\n")]
    [InlineData("a\nb", "data: a\ndata: b\n\n")]
    [InlineData("a\r\nb", "data: a\ndata: b\n\n")]
    [InlineData("a\rb", "data: a\ndata: b\n\n")]
    [InlineData("a\n\nb", "data: a\ndata: \ndata: b\n\n")]
    [InlineData("a\r", "data: a\ndata: \n\n")]
    [InlineData("", "data: \n\n")]
    public async Task WriteAsync_PayloadLines_BecomeOneDataLineEach(string payload, string wire)
    {
        var (writer, body, _) = Create();

        await writer.WriteAsync([new SseFrame(Encoding.UTF8.GetBytes(payload))], CancellationToken.None);

        Assert.Equal(wire, Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task WriteAsync_NamedEvents_HaveTheirEventLine()
    {
        var (writer, body, _) = Create();

        await writer.WriteAsync([new SseFrame("{\"a\":1}"u8.ToArray(), "message_start"u8.ToArray()), new SseFrame("[DONE]"u8.ToArray())], CancellationToken.None);

        Assert.Equal("event: message_start\ndata: {\"a\":1}\n\ndata: [DONE]\n\n", Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task WriteAsync_Nothing_DoesNotCommit()
    {
        var (writer, body, _) = Create();

        await writer.WriteAsync([], CancellationToken.None);

        Assert.False(writer.Committed);
        Assert.False(writer.DataWritten);
        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task WriteAsync_FirstData_CommitsWithSseHeadersAndRecordsTheTime()
    {
        var (writer, body, time) = Create(out var response);
        response.StatusCode = 418; // whatever the response held, the stream is a 200
        time.Advance(TimeSpan.FromSeconds(3));
        var started = time.GetTimestamp();

        await writer.WriteAsync([new SseFrame("1"u8.ToArray())], CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        await writer.WriteAsync([new SseFrame("2"u8.ToArray())], CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/event-stream; charset=utf-8", response.ContentType);
        Assert.Equal("no-cache", response.Headers.CacheControl.ToString());
        Assert.Equal("no", response.Headers["X-Accel-Buffering"].ToString());
        Assert.True(writer.Committed && writer.DataWritten);
        Assert.Equal(started, writer.FirstDataTimestamp);
        Assert.Equal(time.GetTimestamp(), writer.LastWriteTimestamp);
        Assert.Equal("data: 1\n\ndata: 2\n\n", Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task WriteKeepAliveAsync_OnlyOnceCommitted_AndNotData()
    {
        var (writer, body, time) = Create();

        await writer.WriteKeepAliveAsync(CancellationToken.None);
        Assert.Equal(0, body.Length);

        writer.Commit();
        writer.Commit();
        time.Advance(TimeSpan.FromSeconds(1));
        await writer.WriteKeepAliveAsync(CancellationToken.None);

        Assert.Equal(": keep-alive\n\n", Encoding.UTF8.GetString(body.ToArray()));
        Assert.False(writer.DataWritten);
        Assert.Equal(time.GetTimestamp(), writer.LastWriteTimestamp);
    }

    private static (SseResponseWriter Writer, MemoryStream Body, FakeTimeProvider Time) Create() => Create(out _);

    private static (SseResponseWriter Writer, MemoryStream Body, FakeTimeProvider Time) Create(out HttpResponse response)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        response = context.Response;
        var time = new FakeTimeProvider();
        return (new SseResponseWriter(context.Response, time, KeepAlive), body, time);
    }
}
