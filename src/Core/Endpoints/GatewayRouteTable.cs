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
    private static readonly string[] AdminGet = [HttpMethods.Get, HttpMethods.Head];
    private static readonly string[] AdminGetPut = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put];
    private static readonly string[] AdminGetDelete = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Delete];

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

    /// <summary><c>GET /metrics</c>: Prometheus text format (admin key). Server only: Functions exports OpenTelemetry instead.</summary>
    public static GatewayRoute Metrics { get; } = new(nameof(Metrics), GatewayRoutes.Metrics, AdminGet, GatewayEndpoint.Metrics, serverOnly: true);

    /// <summary><c>GET /manage/stats</c> (admin key).</summary>
    public static GatewayRoute ManageStats { get; } = new(nameof(ManageStats), GatewayRoutes.ManageStats, AdminGet, GatewayEndpoint.ManageStats);

    /// <summary><c>GET /manage/providers</c> (admin key).</summary>
    public static GatewayRoute ManageProviders { get; } = new(nameof(ManageProviders), GatewayRoutes.ManageProviders, AdminGet, GatewayEndpoint.ManageProviders);

    /// <summary><c>GET/PUT /manage/overrides</c> (admin key).</summary>
    public static GatewayRoute ManageOverrides { get; } = new(nameof(ManageOverrides), GatewayRoutes.ManageOverrides, AdminGetPut, GatewayEndpoint.ManageOverrides);

    /// <summary><c>POST /manage/routing/decide</c> (admin key).</summary>
    public static GatewayRoute ManageRoutingDecide { get; } = new(nameof(ManageRoutingDecide), GatewayRoutes.ManageRoutingDecide, AdminPost, GatewayEndpoint.ManageRoutingDecide);

    /// <summary><c>GET/DELETE /manage/sessions/{id}</c> (admin key).</summary>
    public static GatewayRoute ManageSessions { get; } = new(nameof(ManageSessions), GatewayRoutes.ManageSessions, AdminGetDelete, GatewayEndpoint.ManageSessions);

    /// <summary><c>GET /manage/ui</c>: the admin web page (no key to load it; 404 when no admin key is configured).</summary>
    public static GatewayRoute ManageUi { get; } = new(nameof(ManageUi), GatewayRoutes.ManageUi, PublicGet, GatewayEndpoint.ManageUi);

    /// <summary><c>GET /manage/ui/admin.js</c>: the admin page's script.</summary>
    public static GatewayRoute ManageUiScript { get; } = new(nameof(ManageUiScript), GatewayRoutes.ManageUiScript, PublicGet, GatewayEndpoint.ManageUi);

    /// <summary><c>GET /manage/ui/admin.css</c>: the admin page's style sheet.</summary>
    public static GatewayRoute ManageUiStyle { get; } = new(nameof(ManageUiStyle), GatewayRoutes.ManageUiStyle, PublicGet, GatewayEndpoint.ManageUi);

    /// <summary><c>GET /manage/ui/icon.svg</c>: the admin page's icon.</summary>
    public static GatewayRoute ManageUiIcon { get; } = new(nameof(ManageUiIcon), GatewayRoutes.ManageUiIcon, PublicGet, GatewayEndpoint.ManageUi);

    /// <summary>Any other path: 404 in the OpenAI envelope (Server only).</summary>
    public static GatewayRoute Fallback { get; } = new(nameof(Fallback), "{*path}", [], GatewayEndpoint.NotFound, serverOnly: true);

    /// <summary>Every route, the fallback last.</summary>
    public static IReadOnlyList<GatewayRoute> All { get; } =
    [
        ChatCompletions, ChatCompletionsShort, RootChat, Messages, MessagesCountTokens, Responses, ResponsesCompact,
        Models, ModelsShort, Health, HealthLive, ManageModelsRefresh, Metrics, ManageStats,
        ManageProviders, ManageOverrides, ManageRoutingDecide, ManageSessions, ManageUi, ManageUiScript, ManageUiStyle, ManageUiIcon, Fallback,
    ];
}
