using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>GET /health</c>.</summary>
public sealed class HealthFunction(GatewayHandlers handlers)
{
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = GatewayRoutes.Health)] HttpRequest request)
    {
        await handlers.HealthAsync(request.HttpContext);
        return new EmptyResult();
    }
}
