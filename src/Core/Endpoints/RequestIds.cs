namespace Gateway.Endpoints;

/// <summary>
/// New request ids: a random (version 4) GUID in "N" format, 32 lower-case hex digits, as before. The random
/// bits come from <see cref="Random.Shared"/> rather than <see cref="Guid.NewGuid"/>, which on Linux reads
/// <c>/dev/urandom</c>: a system call on every request (about 1.5 % of the gateway's CPU at c=32, in the
/// profile). A request id must be unique, not unpredictable.
/// </summary>
internal static class RequestIds
{
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);

        // Version 4 and the RFC 9562 variant, set as Guid.NewGuid sets them: the 13th hex digit is 4, the 17th is 8 to b.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("N");
    }
}
