using Azure;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>
/// Table <c>{prefix}Overrides</c>. PartitionKey = <c>"override"</c> (the set is small and always read
/// whole, so one partition makes that a single-partition query), RowKey = the alias (escaped, see
/// <see cref="TableKeys"/>). Targets are a JSON array. Schema-versioned.
/// </summary>
internal sealed class OverrideEntity : ITableEntity
{
    public const int CurrentSchema = 1;
    public const string Partition = "override";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int SchemaVersion { get; set; }

    public string? Id { get; set; }

    public string? TargetsJson { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
