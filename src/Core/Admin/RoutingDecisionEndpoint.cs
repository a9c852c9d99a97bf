using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Endpoints;
using Gateway.Routing;
using Gateway.State;

namespace Gateway.Admin;

/// <summary>
/// <c>POST /manage/routing/decide</c> <c>{"model", "session"?, "key"?}</c>: the candidates a request for the
/// model would get, each with its weight, its chance of being drawn first, and why it is (not) usable now;
/// the session's remembered target when a session id (and the client key's name, default <c>anonymous</c>)
/// is given; and one draw of the order. No upstream is called.
/// </summary>
internal sealed class RoutingDecisionEndpoint
{
    private readonly ModelCatalog _catalog;
    private readonly FailoverPlan _plan;
    private readonly TargetHealth _health;
    private readonly SessionAffinity _sessions;

    public RoutingDecisionEndpoint(ModelCatalog catalog, FailoverPlan plan, TargetHealth health, SessionAffinity sessions)
    {
        _catalog = catalog;
        _plan = plan;
        _health = health;
        _sessions = sessions;
    }

    public async Task HandleAsync(RequestExchange exchange)
    {
        var (body, tooLarge) = await RequestBody.ReadAsync(exchange.Http.Request, 64 * 1024);
        if (tooLarge is not null)
        {
            await exchange.WriteErrorAsync(tooLarge);
            return;
        }

        if (!TryRead(body, out var model, out var session, out var key, out var problem))
        {
            await exchange.WriteErrorAsync(problem!);
            return;
        }

        var targets = await _catalog.ResolveAsync(model!, exchange.Aborted);
        if (targets.Count == 0)
        {
            await exchange.WriteErrorAsync(GatewayError.ModelNotFound(model!));
            return;
        }

        var sessionKey = session is null ? null : SessionKeys.For(key, model!, session, string.Empty, implicitSessions: false);
        var preferred = sessionKey is null ? null : await _sessions.PreferredTargetAsync(sessionKey, exchange.Aborted);
        var order = _plan.Order(targets, preferred);
        var usableWeight = order.Sum(t => t.Weight);
        await JsonResponse.WriteAsync(exchange, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteString("source", _catalog.SourceOf(model!));
            if (sessionKey is not null)
            {
                writer.WriteStartObject("session");
                writer.WriteString("key", key);
                if (preferred is null)
                {
                    writer.WriteNull("preferred_target");
                }
                else
                {
                    writer.WriteString("preferred_target", preferred);
                }

                writer.WriteEndObject();
            }

            writer.WriteStartArray("candidates");
            foreach (var target in targets)
            {
                WriteCandidate(writer, target, order.Contains(target), usableWeight);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("order");
            foreach (var target in order)
            {
                writer.WriteStringValue(target.Key);
            }

            writer.WriteEndArray();
            writer.WriteString("note", preferred is not null && order.Count > 0 && order[0].Key == preferred
                ? "The session's last target is usable and goes first; the rest follow in configuration order."
                : "The first candidate is drawn by weight among usable targets at each request; the rest follow in configuration order. 'order' is one such draw.");
            writer.WriteEndObject();
        });
    }

    private void WriteCandidate(Utf8JsonWriter writer, RouteTarget target, bool usable, double usableWeight)
    {
        writer.WriteStartObject();
        writer.WriteString("provider", target.Provider.Id);
        writer.WriteString("model", target.Model);
        writer.WriteNumber("weight", target.Weight);
        if (target.Channel is { } channel)
        {
            writer.WriteString("channel", channel);
        }

        writer.WriteBoolean("usable", usable);
        writer.WriteNumber("first_pick_probability", usable && usableWeight > 0 ? Math.Round(target.Weight / usableWeight, 4) : 0);
        writer.WriteString("reason", Reason(target, usable));
        writer.WriteEndObject();
    }

    private string Reason(RouteTarget target, bool usable)
    {
        var cooldown = _health.CooldownLeft(target);
        if (cooldown > TimeSpan.Zero)
        {
            return $"cooling down for {Math.Ceiling(cooldown.TotalSeconds)} s (upstream Retry-After)";
        }

        if (_health.IsBroken(target))
        {
            return "circuit open (too many recent failures)";
        }

        var gate = target.Provider.Concurrency;
        if (gate.IsSaturated)
        {
            return $"saturated ({gate.InFlight} in flight, MaxConcurrency {target.Provider.Options.MaxConcurrency})";
        }

        return usable ? target.Weight > 0 ? "usable" : "usable (weight 0: tried only after the others)" : "not usable";
    }

    private static bool TryRead(ReadOnlyMemory<byte> body, out string? model, out string? session, out string key, out GatewayError? problem)
    {
        model = null;
        session = null;
        key = Auth.ClientAuthenticator.AnonymousKeyName;
        problem = null;
        if (AdminBody.TryParse(body, out var param, out var unreadable) is not { } document)
        {
            problem = GatewayError.InvalidRequest("invalid_json", unreadable!, param);
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = GatewayError.InvalidRequest("invalid_request", "The body must be a JSON object: {\"model\": \"…\", \"session\"?: \"…\", \"key\"?: \"…\"}.", null);
                return false;
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("model" or "session" or "key"))
                {
                    problem = GatewayError.InvalidRequest("invalid_request", "Unknown field.", property.Name.Length <= 64 ? property.Name : property.Name[..64]);
                    return false;
                }

                if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() is not { Length: > 0 and <= 512 } text)
                {
                    problem = GatewayError.InvalidRequest("invalid_request", "Must be a non-empty string (at most 512 characters).", property.Name);
                    return false;
                }

                switch (property.Name)
                {
                    case "model":
                        model = text;
                        break;
                    case "session":
                        session = text;
                        break;
                    default:
                        key = text;
                        break;
                }
            }
        }

        if (model is null)
        {
            problem = GatewayError.InvalidRequest("invalid_request", "Required: the public model id to route.", "model");
            return false;
        }

        return true;
    }
}
