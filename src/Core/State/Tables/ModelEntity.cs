using Azure;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>
/// Table <c>{prefix}Models</c>: one row per model. PartitionKey = the provider id (escaped), RowKey = the
/// model id (escaped, see <see cref="TableKeys"/>; the original is in <see cref="ModelId"/>). A provider's
/// list is one partition, so it is replaced with batch transactions and read with one partition query.
/// </summary>
internal sealed class ModelEntity : ITableEntity
{
    public const int CurrentSchema = 1;

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int SchemaVersion { get; set; }

    public string? Provider { get; set; }

    public string? ModelId { get; set; }

    public string? OwnedBy { get; set; }

    public DateTimeOffset FetchedAt { get; set; }
}
