using System.IO.Compression;
using Gateway.Chat;
using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>
/// Reads a request body whole, refusing more than <c>Limits.MaxRequestBytes</c> (413). A body sent with
/// <c>Content-Encoding</c> gzip, deflate or br is decoded here, with the limit on the decoded size (a
/// small body that inflates past it is a 413); any other encoding is a 415. Core does it, not middleware,
/// because the Functions host has no middleware hook and both hosts must behave alike.
/// </summary>
internal static class RequestBody
{
    public static async ValueTask<(ReadOnlyMemory<byte> Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        if (!TryDecoder(encoding, out var decode))
        {
            return (default, GatewayError.UnsupportedEncoding(encoding.Length > 40 ? encoding[..40] : encoding));
        }

        try
        {
            ReadOnlyMemory<byte>? body;
            if (decode is null)
            {
                body = await BoundedRead.ReadAsync(request.Body, request.ContentLength, limit, request.HttpContext.RequestAborted);
            }
            else
            {
                await using var decoded = decode(request.Body);
                body = await BoundedRead.ReadAsync(decoded, declaredLength: null, limit, request.HttpContext.RequestAborted);
            }

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
        catch (Exception ex) when (decode is not null && ex is InvalidDataException or InvalidOperationException)
        {
            // GZip and deflate report bad data as InvalidDataException, Brotli as InvalidOperationException.
            return (default, GatewayError.InvalidRequest("invalid_body", $"The request body is not valid {encoding} data.", null));
        }
        catch (IOException ex) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some framing errors (a chunk size that overflows) as IOException.
            return (default, GatewayError.InvalidRequest("invalid_body", "The request body could not be read: " + ex.Message, null));
        }
    }

    private static bool TryDecoder(string encoding, out Func<Stream, Stream>? decode)
    {
        decode = null;
        if (encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            decode = body => new GZipStream(body, CompressionMode.Decompress, leaveOpen: true);
        }
        else if (encoding.Equals("deflate", StringComparison.OrdinalIgnoreCase))
        {
            // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2).
            decode = body => new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true);
        }
        else if (encoding.Equals("br", StringComparison.OrdinalIgnoreCase))
        {
            decode = body => new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true);
        }

        return decode is not null;
    }
}
