using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary><c>POST /v1/messages/count_tokens</c> (Anthropic token count).</summary>
public sealed class MessagesCountTokensFunction(GatewayHandlers handlers)
{
    [Function("MessagesCountTokens")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.MessagesCountTokens)] HttpRequest request)
    {
        await handlers.CountTokensAsync(request.HttpContext);
        return new EmptyResult();
    }
}
