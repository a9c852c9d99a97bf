using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>GET /health/live</c>.</summary>
public sealed class HealthLiveFunction(GatewayHandlers handlers)
{
    [Function("HealthLive")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = GatewayRoutes.HealthLive)] HttpRequest request)
    {
        await handlers.LiveAsync(request.HttpContext);
        return new EmptyResult();
    }
}
