using Azure;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>
/// Table <c>{prefix}Sessions</c>. PartitionKey = the session key (a SHA-256 hex digest, never the
/// client's own id), RowKey = <c>"session"</c>: one entity per partition, so point reads and writes of
/// different sessions never contend and the table scales out. Schema-versioned; an unknown version
/// reads as a miss.
/// </summary>
internal sealed class SessionEntity : ITableEntity
{
    public const int CurrentSchema = 1;
    public const string Row = "session";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Row;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int SchemaVersion { get; set; }

    public string? Model { get; set; }

    public string? UpstreamSessionId { get; set; }

    public string? ExchangeId { get; set; }

    public string? SiteNonce { get; set; }

    public string? SiteContext { get; set; }

    public string? SiteTools { get; set; }

    public int TurnCount { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}
