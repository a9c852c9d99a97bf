using Azure;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>
/// Table <c>{prefix}Tokens</c>. PartitionKey = the provider id (escaped, see <see cref="TableKeys"/>),
/// RowKey = <c>"token"</c>: one row per provider that every instance reads, and the ETag on it makes
/// the refresh lease (<see cref="RefreshingUntil"/>) a compare-and-swap. Schema-versioned.
/// </summary>
internal sealed class TokenEntity : ITableEntity
{
    public const int CurrentSchema = 1;
    public const string Row = "token";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Row;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int SchemaVersion { get; set; }

    public string? Provider { get; set; }

    public string? Token { get; set; }

    public DateTimeOffset TokenExpiresAt { get; set; }

    public DateTimeOffset? RefreshingUntil { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}
