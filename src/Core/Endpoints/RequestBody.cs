using Gateway.Chat;
using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>Reads a request body whole, refusing more than <c>Limits.MaxRequestBytes</c> (413).</summary>
internal static class RequestBody
{
    public static async Task<(ReadOnlyMemory<byte> Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit)
    {
        try
        {
            var body = await BoundedRead.ReadAsync(request.Body, request.ContentLength, limit, request.HttpContext.RequestAborted);
            return body is { } bytes ? (bytes, null) : (default, GatewayError.TooLarge(limit));
        }
        catch (BadHttpRequestException ex)
        {
            // Broken chunked framing, a body shorter than its Content-Length, a too slow upload: the
            // client's mistake, answered in the envelope like any other bad request.
            return (default, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? GatewayError.TooLarge(limit)
                : GatewayError.InvalidRequest("invalid_body", "The request body could not be read: " + ex.Message, null));
        }
    }
}
