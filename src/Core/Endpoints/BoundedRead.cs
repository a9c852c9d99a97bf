using System.Buffers;

namespace Gateway.Endpoints;

/// <summary>Reads a whole body (a request, or a non-stream upstream answer) with a size limit.</summary>
internal static class BoundedRead
{
    private const int ExactUpTo = 1024 * 1024;

    /// <summary>The body, or null when it is longer than <paramref name="limit"/>.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(Stream stream, long? declaredLength, long limit, CancellationToken cancellationToken)
    {
        if (declaredLength > limit)
        {
            return null;
        }

        if (declaredLength is > 0 and <= ExactUpTo and var declared)
        {
            // A declared length is enforced by the HTTP layer on both ends: one exact array, no growing.
            // Larger bodies grow as bytes arrive, so a client declaring a huge length and sending little
            // holds no more memory than it sent.
            var array = new byte[declared];
            var total = 0;
            int read;
            while (total < array.Length && (read = await stream.ReadAsync(array.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
            }

            return array.AsMemory(0, total);
        }

        if (declaredLength is not > 0)
        {
            return await ReadUndeclaredAsync(stream, limit, cancellationToken);
        }

        var buffer = new ArrayBufferWriter<byte>(ExactUpTo);
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(64 * 1024), cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    // A body without a length (chunked: most upstream answers, some clients) is read into pooled arrays that
    // double as needed and copied out once at its exact size: a growing ArrayBufferWriter left ~6 KB of
    // garbage per small answer, a third of all the bytes a pass-through request allocated.
    private static async ValueTask<ReadOnlyMemory<byte>?> ReadUndeclaredAsync(Stream stream, long limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, total).ToArray();
                }

                total += read;
                if (total > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
