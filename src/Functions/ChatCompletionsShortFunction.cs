using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>POST /chat/completions</c>.</summary>
public sealed class ChatCompletionsShortFunction(GatewayHandlers handlers)
{
    [Function("ChatCompletionsShort")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.ChatCompletionsShort)] HttpRequest request)
    {
        await handlers.ChatCompletionsAsync(request.HttpContext);
        return new EmptyResult();
    }
}
