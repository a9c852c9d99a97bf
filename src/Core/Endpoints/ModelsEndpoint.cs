using System.Text.Json;
using Gateway.Json;
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
        var response = exchange.Http.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, JsonObjectRewriter.WriterOptions);
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
        await writer.FlushAsync(exchange.Aborted);
    }
}
