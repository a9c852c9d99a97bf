using Gateway.Routing;

namespace Gateway.Endpoints;

/// <summary><c>GET /v1/models</c>: configured ids and provider lists, in OpenAI's list shape.</summary>
internal sealed class ModelsEndpoint
{
    private readonly ModelCatalog _catalog;

    public ModelsEndpoint(ModelCatalog catalog)
    {
        _catalog = catalog;
    }

    public async Task HandleAsync(RequestExchange exchange)
    {
        var models = await _catalog.ListAsync(exchange.Aborted);
        await JsonResponse.WriteAsync(exchange, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            foreach (var model in models)
            {
                writer.WriteStartObject();
                writer.WriteString("id", model.Id);
                writer.WriteString("object", "model");
                writer.WriteNumber("created", 0);
                writer.WriteString("owned_by", model.OwnedBy);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }
}
