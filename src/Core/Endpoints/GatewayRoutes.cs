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
}
