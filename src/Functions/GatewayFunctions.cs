using Gateway.Configuration;
using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary>
/// Every function of the app: one per entry of <see cref="GatewayRouteTable"/> (except the Server-only
/// fallback) and the model-list timer. Each binds its trigger and hands over to Core. Trigger arguments
/// must be constants, so templates and methods are repeated here; a test compares the generated
/// <c>functions.metadata</c> with the table. A handler writes the response itself (streams included),
/// so each returns <see cref="EmptyResult"/>, which leaves the started response alone.
/// </summary>
public sealed class GatewayFunctions(GatewayHandlers handlers, GatewayJobs jobs)
{
    [Function(nameof(ChatCompletions))]
    public Task<IActionResult> ChatCompletions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.ChatCompletions)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.ChatCompletions, request);

    [Function(nameof(ChatCompletionsShort))]
    public Task<IActionResult> ChatCompletionsShort(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.ChatCompletionsShort)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.ChatCompletionsShort, request);

    /// <summary><c>POST /</c>; needs <c>AzureWebJobsDisableHomepage=true</c>, or the host's page answers the root.</summary>
    [Function(nameof(RootChat))]
    public Task<IActionResult> RootChat(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.RootFunctions)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.RootChat, request);

    [Function(nameof(Messages))]
    public Task<IActionResult> Messages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.Messages)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.Messages, request);

    [Function(nameof(MessagesCountTokens))]
    public Task<IActionResult> MessagesCountTokens(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.MessagesCountTokens)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.MessagesCountTokens, request);

    [Function(nameof(Responses))]
    public Task<IActionResult> Responses(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.Responses)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.Responses, request);

    [Function(nameof(ResponsesCompact))]
    public Task<IActionResult> ResponsesCompact(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = GatewayRoutes.ResponsesCompact)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.ResponsesCompact, request);

    [Function(nameof(Models))]
    public Task<IActionResult> Models(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "options", Route = GatewayRoutes.Models)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.Models, request);

    [Function(nameof(ModelsShort))]
    public Task<IActionResult> ModelsShort(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "options", Route = GatewayRoutes.ModelsShort)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.ModelsShort, request);

    [Function(nameof(Health))]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = GatewayRoutes.Health)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.Health, request);

    [Function(nameof(HealthLive))]
    public Task<IActionResult> HealthLive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = GatewayRoutes.HealthLive)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.HealthLive, request);

    /// <summary>Admin key checked by Core; the route may not start with <c>admin</c> (reserved by the host).</summary>
    [Function(nameof(ManageModelsRefresh))]
    public Task<IActionResult> ManageModelsRefresh(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = GatewayRoutes.ManageModelsRefresh)] HttpRequest request) =>
        HandleAsync(GatewayRouteTable.ManageModelsRefresh, request);

    /// <summary>
    /// The model-list refresh job on the schedule in the <c>GATEWAY_REFRESH_SCHEDULE</c> app setting (6-field
    /// cron), the setting the Server reads too.
    /// </summary>
    [Function(nameof(ModelRefreshTimer))]
    public Task ModelRefreshTimer(
        [TimerTrigger("%" + StateOptions.RefreshScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        jobs.RefreshModelsAsync(cancellationToken);

    private async Task<IActionResult> HandleAsync(GatewayRoute route, HttpRequest request)
    {
        await handlers.HandleAsync(route, request.HttpContext);
        return new EmptyResult();
    }
}
