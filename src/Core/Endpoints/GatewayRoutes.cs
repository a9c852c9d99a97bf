namespace Gateway.Endpoints;

/// <summary>Route templates shared by both hosts (no leading slash, as Azure Functions routes are written).</summary>
public static class GatewayRoutes
{
    /// <summary>OpenAI Chat Completions.</summary>
    public const string ChatCompletions = "v1/chat/completions";

    /// <summary>OpenAI Chat Completions without the version prefix.</summary>
    public const string ChatCompletionsShort = "chat/completions";

    /// <summary>The root, treated as Chat Completions (clients configured with a bare base URL).</summary>
    public const string Root = "";

    /// <summary>Azure Functions form of <see cref="Root"/> (an empty route needs an optional, empty parameter).</summary>
    public const string RootFunctions = "{ignored:maxlength(0)?}";

    /// <summary>Anthropic Messages (Claude Code points <c>ANTHROPIC_BASE_URL</c> at the gateway's root).</summary>
    public const string Messages = "v1/messages";

    /// <summary>Anthropic's token count of a Messages request.</summary>
    public const string MessagesCountTokens = "v1/messages/count_tokens";

    /// <summary>OpenAI Responses (Codex).</summary>
    public const string Responses = "v1/responses";

    /// <summary>Responses compaction (Codex compacts long sessions through it).</summary>
    public const string ResponsesCompact = "v1/responses/compact";

    /// <summary>OpenAI model list.</summary>
    public const string Models = "v1/models";

    /// <summary>OpenAI model list without the version prefix.</summary>
    public const string ModelsShort = "models";

    /// <summary>Readiness: 200 ok or 503 degraded.</summary>
    public const string Health = "health";

    /// <summary>Liveness: 200 while the process serves.</summary>
    public const string HealthLive = "health/live";

    /// <summary>Runs the model-list refresh job now (admin key).</summary>
    public const string ManageModelsRefresh = "manage/models/refresh";

    /// <summary>Prometheus text exposition (admin key; Server only).</summary>
    public const string Metrics = "metrics";

    /// <summary>This instance's counters as JSON (admin key).</summary>
    public const string ManageStats = "manage/stats";

    /// <summary>Providers with health and models, secrets masked (admin key).</summary>
    public const string ManageProviders = "manage/providers";

    /// <summary>The admin overrides document (admin key; GET and PUT).</summary>
    public const string ManageOverrides = "manage/overrides";

    /// <summary>A routing decision explained, no upstream call (admin key).</summary>
    public const string ManageRoutingDecide = "manage/routing/decide";

    /// <summary>Start of <see cref="ManageSessions"/>'s path.</summary>
    public const string ManageSessionsPrefix = "manage/sessions/";

    /// <summary>One session by its explicit id (admin key; GET and DELETE).</summary>
    public const string ManageSessions = ManageSessionsPrefix + "{id}";

    /// <summary>The admin web page (served without a key; it asks for the admin key; 404 when none is configured).</summary>
    public const string ManageUi = "manage/ui";

    /// <summary>The admin page's script.</summary>
    public const string ManageUiScript = "manage/ui/admin.js";

    /// <summary>The admin page's style sheet.</summary>
    public const string ManageUiStyle = "manage/ui/admin.css";

    /// <summary>The admin page's icon (so the browser's icon request is not a 404).</summary>
    public const string ManageUiIcon = "manage/ui/icon.svg";
}
