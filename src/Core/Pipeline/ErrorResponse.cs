using System.Globalization;
using Gateway.Chat;
using Microsoft.AspNetCore.Http;

namespace Gateway.Pipeline;

/// <summary>An error answered as the whole response, in whatever envelope the client's format gave it.</summary>
internal static class ErrorResponse
{
    public static async Task WriteAsync(HttpResponse response, GatewayError error, string contentType, ReadOnlyMemory<byte> body)
    {
        response.StatusCode = error.Status;
        response.ContentType = contentType;
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted);
    }
}
