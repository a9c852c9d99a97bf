using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>POST /v1/chat/completions</c>.</summary>
public sealed class ChatCompletionsFunction(GatewayHandlers handlers)
{
    [Function("ChatCompletions")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.ChatCompletions)] HttpRequest request)
    {
        await handlers.ChatCompletionsAsync(request.HttpContext);
        return new EmptyResult();
    }
}
