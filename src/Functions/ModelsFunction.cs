using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>GET /v1/models</c>.</summary>
public sealed class ModelsFunction(GatewayHandlers handlers)
{
    [Function("Models")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = GatewayRoutes.Models)] HttpRequest request)
    {
        await handlers.ModelsAsync(request.HttpContext);
        return new EmptyResult();
    }
}
