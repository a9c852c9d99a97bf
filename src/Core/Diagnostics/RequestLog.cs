namespace Gateway.Diagnostics;

/// <summary>
/// The fields of the one log line written per request when its response has ended (SPEC §5
/// Observability). Filled in as the request goes; never holds prompt text or keys.
/// </summary>
internal sealed class RequestLog
{
    public required string RequestId { get; init; }

    public required string Route { get; init; }

    public required string Client { get; init; }

    public string KeyName { get; set; } = "-";

    public string? Model { get; set; }

    public string? Provider { get; set; }

    public string? TargetModel { get; set; }

    public bool Stream { get; set; }

    public bool ToolsPresent { get; set; }

    public int Attempts { get; set; }

    public string EndReason { get; set; } = "stop";

    public int HttpStatus { get; set; }

    public int? UpstreamStatus { get; set; }

    public double? TtfbMs { get; set; }

    public int? PromptTokens { get; set; }

    public int? CompletionTokens { get; set; }

    public bool UsageEstimated { get; set; }

    /// <summary>
    /// The whole answer reached the client (a stream's terminal event, or the whole body): a client that
    /// hangs up right after it did not abort anything, so the end reason stays the answer's.
    /// </summary>
    public bool Delivered { get; set; }
}
