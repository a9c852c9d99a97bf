using System.Text.Json;
using Gateway.Json;

namespace Gateway.Endpoints;

/// <summary>Writes a JSON answer straight to the response body.</summary>
internal static class JsonResponse
{
    public static async Task WriteAsync(RequestExchange exchange, int status, Action<Utf8JsonWriter> write)
    {
        var response = exchange.Http.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, JsonObjectRewriter.WriterOptions);
        write(writer);
        await writer.FlushAsync(exchange.Aborted);
    }
}
