using Gateway.Chat;
using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>Reads a request body whole, refusing more than <c>Limits.MaxRequestBytes</c> (413).</summary>
internal static class RequestBody
{
    public static async Task<(ReadOnlyMemory<byte> Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit)
    {
        var body = await BoundedRead.ReadAsync(request.Body, request.ContentLength, limit, request.HttpContext.RequestAborted);
        return body is { } bytes ? (bytes, null) : (default, GatewayError.TooLarge(limit));
    }
}
