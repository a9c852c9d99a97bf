using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>POST /manage/models/refresh</c> (admin key).</summary>
public sealed class ManageModelsRefreshFunction(GatewayHandlers handlers)
{
    [Function("ManageModelsRefresh")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = GatewayRoutes.ManageModelsRefresh)] HttpRequest request)
    {
        await handlers.ManageModelsRefreshAsync(request.HttpContext);
        return new EmptyResult();
    }
}
