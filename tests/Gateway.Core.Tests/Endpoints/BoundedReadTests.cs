using Gateway.Endpoints;
using Xunit;

namespace Gateway.Tests.Endpoints;

public sealed class BoundedReadTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(70_000)]
    public async Task ReadAsync_NoDeclaredLength_ReturnsTheWholeBodyExactly(int size)
    {
        var body = Body(size);

        var read = await BoundedRead.ReadAsync(new MemoryStream(body), declaredLength: null, limit: 1 << 20, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(body, read.Value.ToArray());
    }

    [Fact]
    public async Task ReadAsync_NoDeclaredLength_SmallReadsAcrossGrowth_ReturnTheWholeBody()
    {
        var body = Body(10_000);

        var read = await BoundedRead.ReadAsync(new TrickleStream(body, 7), declaredLength: null, limit: 1 << 20, CancellationToken.None);

        Assert.Equal(body, read!.Value.ToArray());
    }

    [Theory]
    [InlineData(100, 99)]
    [InlineData(10_000, 5000)]
    public async Task ReadAsync_NoDeclaredLength_LongerThanTheLimit_IsNull(int size, long limit)
    {
        var read = await BoundedRead.ReadAsync(new MemoryStream(Body(size)), declaredLength: null, limit, CancellationToken.None);

        Assert.Null(read);
    }

    [Fact]
    public async Task ReadAsync_NoDeclaredLength_ExactlyTheLimit_IsRead()
    {
        var read = await BoundedRead.ReadAsync(new MemoryStream(Body(5000)), declaredLength: null, limit: 5000, CancellationToken.None);

        Assert.Equal(5000, read!.Value.Length);
    }

    [Fact]
    public async Task ReadAsync_DeclaredLength_ReturnsTheBody()
    {
        var body = Body(300);

        var read = await BoundedRead.ReadAsync(new MemoryStream(body), declaredLength: 300, limit: 1000, CancellationToken.None);

        Assert.Equal(body, read!.Value.ToArray());
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverTheLimit_IsNullWithoutReading()
    {
        var read = await BoundedRead.ReadAsync(new TrickleStream(Body(10), 1), declaredLength: 2000, limit: 1000, CancellationToken.None);

        Assert.Null(read);
    }

    private static byte[] Body(int size)
    {
        var body = new byte[size];
        for (var i = 0; i < size; i++)
        {
            body[i] = (byte)(i * 31);
        }

        return body;
    }

    /// <summary>Returns at most <c>readSize</c> bytes per read.</summary>
    private sealed class TrickleStream(byte[] bytes, int readSize) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, readSize), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
