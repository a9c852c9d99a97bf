using System.Buffers;
using Gateway.Chat;
using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>Reads a request body whole, refusing more than <c>Limits.MaxRequestBytes</c> (413).</summary>
internal static class RequestBody
{
    public static async Task<(ReadOnlyMemory<byte> Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            return (default, GatewayError.TooLarge(limit));
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is { } length and > 0 ? (int)length : 4096);
        var body = request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await body.ReadAsync(memory, request.HttpContext.RequestAborted);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return (default, GatewayError.TooLarge(limit));
            }
        }

        return (buffer.WrittenMemory, null);
    }
}
