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

        var read = await BoundedRead.ReadAsync(new ChunkedStream(body, 7), declaredLength: null, limit: 1 << 20, CancellationToken.None);

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
        var read = await BoundedRead.ReadAsync(new ChunkedStream(Body(10), 1), declaredLength: 2000, limit: 1000, CancellationToken.None);

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
}
