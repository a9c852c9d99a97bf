using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>POST /v1/messages</c> (Anthropic Messages).</summary>
public sealed class MessagesFunction(GatewayHandlers handlers)
{
    [Function("Messages")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.Messages)] HttpRequest request)
    {
        await handlers.MessagesAsync(request.HttpContext);
        return new EmptyResult();
    }
}
