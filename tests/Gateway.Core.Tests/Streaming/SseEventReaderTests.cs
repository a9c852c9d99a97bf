using System.Text;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Streaming;

public sealed class SseEventReaderTests
{
    [Theory]
    [InlineData("data: a\n\ndata: b\n\n")]
    [InlineData("data: a\r\n\r\ndata: b\r\n\r\n")]
    [InlineData("data: a\r\rdata: b\r\r")]
    [InlineData(": comment\n\ndata: a\n\n: another\ndata: b\n\n")]
    [InlineData("data: a\n\ndata: b")]
    [InlineData("\uFEFFdata: a\n\ndata:b\n\n")]
    public async Task Read_FramingVariantsAtEveryReadSize_GiveTheSameEvents(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        foreach (var readSize in new[] { 1, 2, 3, 7, 4096 })
        {
            var events = await ReadAllAsync(bytes, readSize);
            Assert.Equal(["a", "b"], events.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
        }
    }

    [Fact]
    public async Task Read_MultiLineDataIsJoinedWithNewline()
    {
        var events = await ReadAllAsync(Encoding.UTF8.GetBytes("data: {\ndata:  \"k\": 1\ndata: }\n\n"), 5);

        Assert.Equal("{\n \"k\": 1\n}", Encoding.UTF8.GetString(Assert.Single(events).Data.Span));
    }

    [Fact]
    public async Task Read_Utf8SplitAcrossReads_IsIntact()
    {
        var bytes = Encoding.UTF8.GetBytes("data: 日本語😀\n\n");
        var events = await ReadAllAsync(bytes, 1);

        Assert.Equal("日本語😀", Encoding.UTF8.GetString(Assert.Single(events).Data.Span));
    }

    [Fact]
    public async Task Read_EventTypeIsKeptAndDoneIsRecognized()
    {
        var events = await ReadAllAsync(Encoding.UTF8.GetBytes("event: error\ndata: {}\n\ndata: [DONE]\n\n"), 4096);

        Assert.Equal("error", events[0].EventType);
        Assert.True(events[1].IsDone);
        Assert.False(events[0].IsDone);
    }

    [Fact]
    public async Task Read_TracksBytesAndLastRead()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var body = new ReadActivityStream(new ChunkedStream(Encoding.UTF8.GetBytes("data: a\n\n"), 2), time);
        time.Advance(TimeSpan.FromSeconds(5));

        await foreach (var _ in SseEventReader.ReadAsync(body, CancellationToken.None))
        {
        }

        Assert.Equal(9, body.BytesRead);
        Assert.Equal(time.GetTimestamp(), body.LastReadTimestamp);
    }

    private static async Task<List<SseEvent>> ReadAllAsync(byte[] bytes, int readSize)
    {
        using var body = new ReadActivityStream(new ChunkedStream(bytes, readSize), TimeProvider.System);
        var events = new List<SseEvent>();
        await foreach (var e in SseEventReader.ReadAsync(body, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}
