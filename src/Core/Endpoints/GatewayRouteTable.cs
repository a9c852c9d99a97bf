using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>
/// Every route of the gateway, once. The Server maps this table; the Functions host declares one
/// function per entry (attribute arguments must be constants, so it repeats the templates and methods),
/// and a test compares its generated <c>functions.metadata</c> with this table.
/// </summary>
public static class GatewayRouteTable
{
    private static readonly string[] ClientPost = [HttpMethods.Post, HttpMethods.Options];
    private static readonly string[] ClientGet = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Options];
    private static readonly string[] PublicGet = [HttpMethods.Get, HttpMethods.Head];
    private static readonly string[] AdminPost = [HttpMethods.Post];

    /// <summary><c>POST /v1/chat/completions</c>.</summary>
    public static GatewayRoute ChatCompletions { get; } = new(nameof(ChatCompletions), GatewayRoutes.ChatCompletions, ClientPost, GatewayEndpoint.ChatCompletions);

    /// <summary><c>POST /chat/completions</c>.</summary>
    public static GatewayRoute ChatCompletionsShort { get; } = new(nameof(ChatCompletionsShort), GatewayRoutes.ChatCompletionsShort, ClientPost, GatewayEndpoint.ChatCompletions);

    /// <summary><c>POST /</c> as Chat Completions (on Functions it needs <c>AzureWebJobsDisableHomepage=true</c>).</summary>
    public static GatewayRoute RootChat { get; } = new(nameof(RootChat), GatewayRoutes.Root, ClientPost, GatewayEndpoint.ChatCompletions);

    /// <summary><c>POST /v1/messages</c> (Anthropic Messages).</summary>
    public static GatewayRoute Messages { get; } = new(nameof(Messages), GatewayRoutes.Messages, ClientPost, GatewayEndpoint.Messages);

    /// <summary><c>POST /v1/messages/count_tokens</c>.</summary>
    public static GatewayRoute MessagesCountTokens { get; } = new(nameof(MessagesCountTokens), GatewayRoutes.MessagesCountTokens, ClientPost, GatewayEndpoint.CountTokens);

    /// <summary><c>POST /v1/responses</c> (OpenAI Responses).</summary>
    public static GatewayRoute Responses { get; } = new(nameof(Responses), GatewayRoutes.Responses, ClientPost, GatewayEndpoint.Responses);

    /// <summary><c>POST /v1/responses/compact</c>.</summary>
    public static GatewayRoute ResponsesCompact { get; } = new(nameof(ResponsesCompact), GatewayRoutes.ResponsesCompact, ClientPost, GatewayEndpoint.ResponsesCompact);

    /// <summary><c>GET /v1/models</c>.</summary>
    public static GatewayRoute Models { get; } = new(nameof(Models), GatewayRoutes.Models, ClientGet, GatewayEndpoint.Models);

    /// <summary><c>GET /models</c>.</summary>
    public static GatewayRoute ModelsShort { get; } = new(nameof(ModelsShort), GatewayRoutes.ModelsShort, ClientGet, GatewayEndpoint.Models);

    /// <summary><c>GET /health</c> (no auth).</summary>
    public static GatewayRoute Health { get; } = new(nameof(Health), GatewayRoutes.Health, PublicGet, GatewayEndpoint.Health);

    /// <summary><c>GET /health/live</c> (no auth).</summary>
    public static GatewayRoute HealthLive { get; } = new(nameof(HealthLive), GatewayRoutes.HealthLive, PublicGet, GatewayEndpoint.Live);

    /// <summary><c>POST /manage/models/refresh</c> (admin key).</summary>
    public static GatewayRoute ManageModelsRefresh { get; } = new(nameof(ManageModelsRefresh), GatewayRoutes.ManageModelsRefresh, AdminPost, GatewayEndpoint.ManageModelsRefresh);

    /// <summary>Any other path: 404 in the OpenAI envelope (Server only).</summary>
    public static GatewayRoute Fallback { get; } = new(nameof(Fallback), "{*path}", [], GatewayEndpoint.NotFound, serverOnly: true);

    /// <summary>Every route, the fallback last.</summary>
    public static IReadOnlyList<GatewayRoute> All { get; } =
    [
        ChatCompletions, ChatCompletionsShort, RootChat, Messages, MessagesCountTokens, Responses, ResponsesCompact,
        Models, ModelsShort, Health, HealthLive, ManageModelsRefresh, Fallback,
    ];
}
