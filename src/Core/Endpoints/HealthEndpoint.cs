namespace Gateway.Endpoints;

/// <summary><c>GET /health</c> (readiness) and <c>GET /health/live</c> (liveness); no authentication.</summary>
internal static class HealthEndpoint
{
    private static readonly byte[] Ok = """{"status":"ok"}"""u8.ToArray();

    public static async Task ReadyAsync(RequestExchange exchange) => await WriteAsync(exchange, Ok);

    public static async Task LiveAsync(RequestExchange exchange) => await WriteAsync(exchange, Ok);

    private static async Task WriteAsync(RequestExchange exchange, byte[] body)
    {
        var response = exchange.Http.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, exchange.Aborted);
    }
}
