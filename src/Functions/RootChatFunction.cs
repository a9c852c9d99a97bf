using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>POST /</c> as Chat Completions (needs <c>AzureWebJobsDisableHomepage=true</c>).</summary>
public sealed class RootChatFunction(GatewayHandlers handlers)
{
    [Function("RootChat")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.RootFunctions)] HttpRequest request)
    {
        await handlers.ChatCompletionsAsync(request.HttpContext);
        return new EmptyResult();
    }
}
