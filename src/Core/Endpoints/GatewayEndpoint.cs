namespace Gateway.Endpoints;

/// <summary>What a route runs; several routes may run the same endpoint (the chat aliases).</summary>
internal enum GatewayEndpoint
{
    ChatCompletions,
    Messages,
    CountTokens,
    Models,
    Health,
    Live,
    ManageModelsRefresh,
    NotFound,
}
