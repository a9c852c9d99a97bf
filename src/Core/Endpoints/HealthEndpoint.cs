using System.Text.Json;
using Gateway.Json;
using Gateway.State;

namespace Gateway.Endpoints;

/// <summary>
/// <c>GET /health</c> (readiness: 200 ok, or 503 degraded naming the failing dependency) and
/// <c>GET /health/live</c> (200 while the process serves). No authentication; no secrets in the body.
/// </summary>
internal sealed class HealthEndpoint
{
    private static readonly byte[] Ok = """{"status":"ok"}"""u8.ToArray();

    private readonly StateHealth _state;

    public HealthEndpoint(StateHealth state)
    {
        _state = state;
    }

    public async Task ReadyAsync(RequestExchange exchange)
    {
        if (_state.Reason is not { } reason)
        {
            await WriteAsync(exchange, 200, Ok);
            return;
        }

        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("status", "degraded");
            writer.WriteString("dependency", StateHealth.Dependency);
            writer.WriteString("reason", reason);
            if (_state.Since is { } since)
            {
                writer.WriteString("since", since);
            }

            writer.WriteString("effect", "state is kept in this instance's memory until the store answers again");
            writer.WriteEndObject();
        }

        await WriteAsync(exchange, 503, buffer.ToArray());
    }

    public static Task LiveAsync(RequestExchange exchange) => WriteAsync(exchange, 200, Ok);

    private static async Task WriteAsync(RequestExchange exchange, int status, byte[] body)
    {
        var response = exchange.Http.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = body.Length;
        exchange.Log.EndReason = status == 200 ? "stop" : "overloaded";
        await response.Body.WriteAsync(body, exchange.Aborted);
    }
}
