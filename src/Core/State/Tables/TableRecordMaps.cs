using System.Text.Json;

namespace Gateway.State.Tables;

internal sealed class SessionMap : ITableRecordMap<SessionRecord, SessionEntity>
{
    public string TableSuffix => "Sessions";

    public string? ListFilter => null;

    public (string PartitionKey, string RowKey) KeysOf(string key) => (key, SessionEntity.Row);

    public SessionEntity ToEntity(SessionRecord record) => new()
    {
        PartitionKey = record.Key,
        SchemaVersion = SessionEntity.CurrentSchema,
        Model = record.Model,
        UpstreamSessionId = record.UpstreamSessionId,
        ExchangeId = record.ExchangeId,
        SiteNonce = record.SiteNonce,
        SiteContext = record.SiteContext,
        SiteTools = record.SiteTools,
        TurnCount = record.TurnCount,
        ExpiresAt = record.ExpiresAt,
    };

    public SessionRecord? ToRecord(SessionEntity entity) => entity.SchemaVersion != SessionEntity.CurrentSchema
        ? null
        : new SessionRecord(entity.PartitionKey, entity.Model ?? string.Empty, entity.UpstreamSessionId, entity.ExchangeId, entity.TurnCount, entity.ExpiresAt, entity.ETag.ToString())
        {
            SiteNonce = entity.SiteNonce,
            SiteContext = entity.SiteContext,
            SiteTools = entity.SiteTools,
        };
}

internal sealed class AffinityMap : ITableRecordMap<AffinityRecord, AffinityEntity>
{
    public string TableSuffix => "Affinity";

    public string? ListFilter => null;

    public (string PartitionKey, string RowKey) KeysOf(string key) => (key, AffinityEntity.Row);

    public AffinityEntity ToEntity(AffinityRecord record) => new()
    {
        PartitionKey = record.Key,
        SchemaVersion = AffinityEntity.CurrentSchema,
        Provider = record.Provider,
        TargetModel = record.TargetModel,
        ExpiresAt = record.ExpiresAt,
    };

    public AffinityRecord? ToRecord(AffinityEntity entity) => entity.SchemaVersion != AffinityEntity.CurrentSchema || entity.Provider is null || entity.TargetModel is null
        ? null
        : new AffinityRecord(entity.PartitionKey, entity.Provider, entity.TargetModel, entity.ExpiresAt, entity.ETag.ToString());
}

internal sealed class TokenMap : ITableRecordMap<TokenRecord, TokenEntity>
{
    public string TableSuffix => "Tokens";

    public string? ListFilter => null;

    public (string PartitionKey, string RowKey) KeysOf(string key) => (TableKeys.Encode(key), TokenEntity.Row);

    public TokenEntity ToEntity(TokenRecord record) => new()
    {
        PartitionKey = TableKeys.Encode(record.Key),
        SchemaVersion = TokenEntity.CurrentSchema,
        Provider = record.Key,
        Token = record.Token,
        TokenExpiresAt = record.TokenExpiresAt,
        RefreshingUntil = record.RefreshingUntil,
        ExpiresAt = record.ExpiresAt,
    };

    public TokenRecord? ToRecord(TokenEntity entity) => entity.SchemaVersion != TokenEntity.CurrentSchema || entity.Provider is null
        ? null
        : new TokenRecord(entity.Provider, entity.Token, entity.TokenExpiresAt, entity.RefreshingUntil, entity.ETag.ToString());
}

internal sealed class OverrideMap : ITableRecordMap<ModelOverride, OverrideEntity>
{
    public string TableSuffix => "Overrides";

    public string? ListFilter => $"PartitionKey eq '{OverrideEntity.Partition}'";

    public (string PartitionKey, string RowKey) KeysOf(string key) => (OverrideEntity.Partition, TableKeys.Encode(key));

    public OverrideEntity ToEntity(ModelOverride record) => new()
    {
        RowKey = TableKeys.Encode(record.Key),
        SchemaVersion = OverrideEntity.CurrentSchema,
        Id = record.Key,
        TargetsJson = JsonSerializer.Serialize(record.Targets, StateJson.Default.IReadOnlyListOverrideTarget),
        UpdatedAt = record.UpdatedAt,
    };

    public ModelOverride? ToRecord(OverrideEntity entity)
    {
        if (entity.SchemaVersion != OverrideEntity.CurrentSchema || entity.Id is null || entity.TargetsJson is null)
        {
            return null;
        }

        var targets = JsonSerializer.Deserialize(entity.TargetsJson, StateJson.Default.IReadOnlyListOverrideTarget);
        return targets is null ? null : new ModelOverride(entity.Id, targets, entity.UpdatedAt, entity.ETag.ToString());
    }
}

/// <summary>A table of JSON records (<see cref="JsonEntity"/>): remembered thinking, kept responses.</summary>
internal sealed class JsonMap(string tableSuffix, string row) : ITableRecordMap<JsonRecord, JsonEntity>
{
    public string TableSuffix => tableSuffix;

    public string? ListFilter => null;

    public (string PartitionKey, string RowKey) KeysOf(string key) => (key, row);

    public JsonEntity ToEntity(JsonRecord record)
    {
        var entity = new JsonEntity
        {
            PartitionKey = record.Key,
            RowKey = row,
            SchemaVersion = JsonEntity.CurrentSchema,
            ExpiresAt = record.ExpiresAt,
        };

        // Callers check the size first (JsonEntity.MaxLength); a record that does not fit is stored without its JSON.
        entity.TrySetJson(record.Json);
        return entity;
    }

    public JsonRecord? ToRecord(JsonEntity entity) => entity.SchemaVersion != JsonEntity.CurrentSchema || entity.Json() is not { } json
        ? null
        : new JsonRecord(entity.PartitionKey, json, entity.ExpiresAt, entity.ETag.ToString());
}
