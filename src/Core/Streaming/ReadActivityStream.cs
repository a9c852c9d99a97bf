namespace Gateway.Streaming;

/// <summary>
/// Wraps an upstream body: records when the last read returned (the idle timer is reset by every
/// upstream read, not by every event) and, at end of stream, yields a final blank line so an event
/// the upstream left unterminated is still dispatched (<c>SseParser</c> discards an unterminated
/// final event).
/// </summary>
internal sealed class ReadActivityStream : Stream
{
    private static readonly byte[] Terminator = "\n\n"u8.ToArray();
    private readonly Stream _inner;
    private readonly TimeProvider _time;
    private int _terminatorOffset = -1;

    public ReadActivityStream(Stream inner, TimeProvider time)
    {
        _inner = inner;
        _time = time;
        LastReadTimestamp = time.GetTimestamp();
    }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last completed read.</summary>
    public long LastReadTimestamp { get; private set; }

    /// <summary>Bytes read from the upstream so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_terminatorOffset >= 0)
        {
            return CopyTerminator(buffer.Span);
        }

        var read = await _inner.ReadAsync(buffer, cancellationToken);
        LastReadTimestamp = _time.GetTimestamp();
        if (read > 0)
        {
            BytesRead += read;
            return read;
        }

        _terminatorOffset = 0;
        return CopyTerminator(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads would block a thread");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int CopyTerminator(Span<byte> destination)
    {
        var remaining = Terminator.Length - _terminatorOffset;
        var count = Math.Min(remaining, destination.Length);
        Terminator.AsSpan(_terminatorOffset, count).CopyTo(destination);
        _terminatorOffset += count;
        return count;
    }
}
