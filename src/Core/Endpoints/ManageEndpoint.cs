using Gateway.State;

namespace Gateway.Endpoints;

/// <summary><c>POST /manage/models/refresh</c>: runs the model-list job now and reports what it did.</summary>
internal sealed class ManageEndpoint
{
    private readonly ModelRefreshJob _refresh;

    public ManageEndpoint(ModelRefreshJob refresh)
    {
        _refresh = refresh;
    }

    public async Task RefreshModelsAsync(RequestExchange exchange)
    {
        var report = await _refresh.RunAsync(exchange.Aborted);
        await JsonResponse.WriteAsync(exchange, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("providers");
            foreach (var (id, provider) in report.Providers)
            {
                writer.WriteStartObject(id);
                writer.WriteBoolean("fetched", provider.Fetched);
                writer.WriteNumber("models", provider.Models);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteStartObject("swept");
            writer.WriteNumber("sessions", report.Swept.Sessions);
            writer.WriteNumber("affinity", report.Swept.Affinity);
            writer.WriteNumber("tokens", report.Swept.Tokens);
            writer.WriteNumber("thinking", report.Swept.Thinking);
            writer.WriteNumber("responses", report.Swept.Responses);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
