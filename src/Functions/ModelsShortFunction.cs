using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>GET /models</c>.</summary>
public sealed class ModelsShortFunction(GatewayHandlers handlers)
{
    [Function("ModelsShort")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = GatewayRoutes.ModelsShort)] HttpRequest request)
    {
        await handlers.ModelsAsync(request.HttpContext);
        return new EmptyResult();
    }
}
