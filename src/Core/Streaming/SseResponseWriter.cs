using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Streaming;

/// <summary>
/// Writes server-sent events to the client. There is exactly one writer per response and it is only
/// called from the stream pump's loop, so keep-alive comments and data can never interleave inside a
/// frame. Every write is flushed at once (the first chunk must not wait for later ones).
/// </summary>
internal sealed class SseResponseWriter
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    private readonly HttpResponse _response;
    private readonly TimeProvider _time;
    private readonly ReadOnlyMemory<byte> _keepAlive;
    private PipeWriter? _output;

    /// <param name="response">The client's response.</param>
    /// <param name="time">Clock for the keep-alive and first-byte timestamps.</param>
    /// <param name="keepAlive">The client format's keep-alive frame (a comment, or a named ping event).</param>
    public SseResponseWriter(HttpResponse response, TimeProvider time, ReadOnlyMemory<byte> keepAlive)
    {
        _response = response;
        _time = time;
        _keepAlive = keepAlive;
    }

    /// <summary>Status and SSE headers have been sent.</summary>
    public bool Committed { get; private set; }

    /// <summary>At least one data event reached the client (failover is no longer allowed).</summary>
    public bool DataWritten { get; private set; }

    /// <summary>Timestamp of the last write, for the keep-alive interval.</summary>
    public long LastWriteTimestamp { get; private set; }

    /// <summary>Timestamp of the first data event, for time-to-first-byte.</summary>
    public long FirstDataTimestamp { get; private set; }

    /// <summary>
    /// Decides 200 and the SSE headers. They go out with the next flush, together with the first event
    /// (or keep-alive): one write instead of a header flush followed by a data flush, which measurably
    /// delayed the first content.
    /// </summary>
    public void Commit()
    {
        if (Committed)
        {
            return;
        }

        _response.StatusCode = StatusCodes.Status200OK;
        _response.ContentType = "text/event-stream; charset=utf-8";
        _response.Headers.CacheControl = "no-cache";
        _response.Headers["X-Accel-Buffering"] = "no";
        _response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        _output = _response.BodyWriter;
        Committed = true;
        LastWriteTimestamp = _time.GetTimestamp();
    }

    /// <summary>Writes several events and flushes once.</summary>
    public async ValueTask WriteAsync(IReadOnlyList<SseFrame> frames, CancellationToken cancellationToken)
    {
        if (frames.Count == 0)
        {
            return;
        }

        Commit();
        for (var i = 0; i < frames.Count; i++)
        {
            Append(frames[i]);
        }

        await FlushAsync(cancellationToken);
        if (!DataWritten)
        {
            DataWritten = true;
            FirstDataTimestamp = LastWriteTimestamp;
        }
    }

    /// <summary>Writes a keep-alive frame (only once committed; the first one sends the headers).</summary>
    public async ValueTask WriteKeepAliveAsync(CancellationToken cancellationToken)
    {
        if (!Committed)
        {
            return;
        }

        _output!.Write(_keepAlive.Span);
        await FlushAsync(cancellationToken);
    }

    private void Append(in SseFrame frame)
    {
        if (frame.EventName is { } name)
        {
            var output = _output!;
            output.Write(EventPrefix);
            output.Write(name);
            output.Write("\n"u8);
        }

        AppendData(frame.Data.Span);
    }

    private void AppendData(ReadOnlySpan<byte> payload)
    {
        var output = _output!;

        // A payload with line breaks (an upstream that pretty-printed its JSON over several data: lines)
        // becomes several data: lines again, so the client rebuilds the same text.
        while (payload.IndexOfAny((byte)'\n', (byte)'\r') is var lineEnd and >= 0)
        {
            output.Write(DataPrefix);
            output.Write(payload[..lineEnd]);
            output.Write("\n"u8);
            var skip = payload[lineEnd] == '\r' && lineEnd + 1 < payload.Length && payload[lineEnd + 1] == '\n' ? 2 : 1;
            payload = payload[(lineEnd + skip)..];
        }

        output.Write(DataPrefix);
        output.Write(payload);
        output.Write(EventEnd);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _output!.FlushAsync(cancellationToken);
        LastWriteTimestamp = _time.GetTimestamp();
    }
}
