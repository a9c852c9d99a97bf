using System.Buffers;

namespace Gateway.Endpoints;

/// <summary>Reads a whole body (a request, or a non-stream upstream answer) with a size limit.</summary>
internal static class BoundedRead
{
    private const int ExactUpTo = 1024 * 1024;

    /// <summary>The body, or null when it is longer than <paramref name="limit"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(Stream stream, long? declaredLength, long limit, CancellationToken cancellationToken)
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

        var buffer = new ArrayBufferWriter<byte>(declaredLength is > 0 ? ExactUpTo : 1024);
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(declaredLength is > 0 ? 64 * 1024 : 4096), cancellationToken);
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
}
