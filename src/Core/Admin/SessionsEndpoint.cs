using Gateway.Chat;
using Gateway.Endpoints;
using Gateway.State;
using Microsoft.AspNetCore.Http;

namespace Gateway.Admin;

/// <summary>
/// <c>GET/DELETE /manage/sessions/{id}?key=&lt;client key name&gt;&amp;model=&lt;model id&gt;</c>: the session behind an
/// explicit session id. Session rows are keyed by a hash of the key name, the model and the id (as on the
/// request path, <see cref="SessionKeys"/>), so all three are needed to find one. GET shows its target,
/// upstream session, turn count and expiry; DELETE removes it (and its target affinity), so the next turn
/// starts fresh.
/// </summary>
internal sealed class SessionsEndpoint
{
    private const string Prefix = "/" + GatewayRoutes.ManageSessionsPrefix;

    private readonly StateStores _stores;
    private readonly SessionAffinity _affinity;
    private readonly AdminAudit _audit;

    public SessionsEndpoint(StateStores stores, SessionAffinity affinity, AdminAudit audit)
    {
        _stores = stores;
        _affinity = affinity;
        _audit = audit;
    }

    public async Task HandleAsync(RequestExchange exchange)
    {
        var request = exchange.Http.Request;

        // The id is read from the path rather than route values, which Functions does not fill the same way.
        var path = request.Path.Value ?? string.Empty;
        var id = path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? Uri.UnescapeDataString(path[Prefix.Length..]) : string.Empty;
        var key = request.Query["key"].ToString();
        var model = request.Query["model"].ToString();
        if (id.Length is 0 or > 512 || id.Contains('/', StringComparison.Ordinal))
        {
            await exchange.WriteErrorAsync(GatewayError.InvalidRequest("invalid_request", "The session id (the value of the client's session header) is required in the path.", "id"));
            return;
        }

        if (key.Length == 0 || model.Length == 0)
        {
            await exchange.WriteErrorAsync(GatewayError.InvalidRequest("invalid_request",
                "Both query parameters are required: key (the client key's name, 'anonymous' without auth) and model (the public model id); the session key is a hash of both with the id.",
                key.Length == 0 ? "key" : "model"));
            return;
        }

        var sessionKey = SessionKeys.For(key, model, id, string.Empty, implicitSessions: false)!;
        var session = await _stores.Sessions.GetAsync(sessionKey, exchange.Aborted);
        var affinity = await _stores.Affinity.GetAsync(sessionKey, exchange.Aborted);
        if (session is null && affinity is null)
        {
            await exchange.WriteErrorAsync(new GatewayError(404, "invalid_request_error", "session_not_found",
                "No session for this id, key name and model (unknown, expired, or never completed a turn).") { EndReason = "not_found" });
            return;
        }

        if (HttpMethods.IsDelete(request.Method))
        {
            await _stores.Sessions.DeleteAsync(sessionKey, exchange.Aborted);
            await _stores.Affinity.DeleteAsync(sessionKey, exchange.Aborted);
            _affinity.Forget(sessionKey);
            _audit.Changed(request, "session_deleted", "session", $"key={key} model={model}");
        }

        await JsonResponse.WriteAsync(exchange, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("key", key);
            writer.WriteString("model", model);
            writer.WriteBoolean("deleted", HttpMethods.IsDelete(request.Method));
            if (affinity is not null)
            {
                writer.WriteStartObject("target");
                writer.WriteString("provider", affinity.Provider);
                writer.WriteString("model", affinity.TargetModel);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("target");
            }

            writer.WriteNumber("turn_count", session?.TurnCount ?? 0);
            WriteOptional(writer, "upstream_session", session?.UpstreamSessionId);
            WriteOptional(writer, "exchange_id", session?.ExchangeId);
            if ((session?.ExpiresAt ?? affinity?.ExpiresAt) is { } expires)
            {
                writer.WriteString("expires_at", expires);
            }

            writer.WriteEndObject();
        });
    }

    private static void WriteOptional(System.Text.Json.Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
