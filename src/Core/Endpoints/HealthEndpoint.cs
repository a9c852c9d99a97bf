using Gateway.State;

namespace Gateway.Endpoints;

/// <summary>
/// <c>GET /health</c> (readiness: 200 ok, or 503 degraded naming the failing dependency) and
/// <c>GET /health/live</c> (200 while the process serves). No authentication; no secrets in the body.
/// </summary>
internal sealed class HealthEndpoint
{
    private readonly StateHealth _state;

    public HealthEndpoint(StateHealth state)
    {
        _state = state;
    }

    public async Task ReadyAsync(RequestExchange exchange)
    {
        if (_state.Reason is not { } reason)
        {
            await LiveAsync(exchange);
            return;
        }

        exchange.Log.EndReason = "overloaded";
        await JsonResponse.WriteAsync(exchange, 503, writer =>
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
        });
    }

    public static Task LiveAsync(RequestExchange exchange) => JsonResponse.WriteAsync(exchange, 200, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("status", "ok");
        writer.WriteEndObject();
    });
}
