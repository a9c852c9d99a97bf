using Azure;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>
/// Table <c>{prefix}Affinity</c>. PartitionKey = the session key (SHA-256 hex), RowKey = <c>"affinity"</c>;
/// one entity per partition, as for sessions. Schema-versioned.
/// </summary>
internal sealed class AffinityEntity : ITableEntity
{
    public const int CurrentSchema = 1;
    public const string Row = "affinity";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Row;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int SchemaVersion { get; set; }

    public string? Provider { get; set; }

    public string? TargetModel { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}
