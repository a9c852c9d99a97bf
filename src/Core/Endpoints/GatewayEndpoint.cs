namespace Gateway.Endpoints;

/// <summary>What a route runs; several routes may run the same endpoint (the chat aliases).</summary>
internal enum GatewayEndpoint
{
    ChatCompletions,
    Messages,
    CountTokens,
    Responses,
    ResponsesCompact,
    Models,
    Health,
    Live,
    ManageModelsRefresh,
    NotFound,
}
