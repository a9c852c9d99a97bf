namespace Gateway.Chat;

/// <summary>Why an inbound request was rejected as the client's mistake (HTTP 400).</summary>
internal sealed record ChatRequestError(string Code, string Message, string? Param);
