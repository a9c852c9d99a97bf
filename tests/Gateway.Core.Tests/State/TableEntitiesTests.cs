using Azure;
using Azure.Data.Tables;
using Gateway.State.Tables;
using Xunit;

namespace Gateway.Tests.State;

/// <summary>The typed entities to and from the SDK's dictionary entity (the Native AOT build's only way to the tables).</summary>
public sealed class TableEntitiesTests
{
    [Fact]
    public void ToTable_CarriesKeysAndEverySetProperty_LeavesNullsTimestampAndETagOut()
    {
        var expires = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
        var entity = new SessionEntity { PartitionKey = "p", SchemaVersion = 1, Model = "m", TurnCount = 3, ExpiresAt = expires, ETag = new ETag("W/\"1\""), Timestamp = expires };

        var table = TableEntities.ToTable(entity);

        Assert.Equal("p", table.PartitionKey);
        Assert.Equal(SessionEntity.Row, table.RowKey);
        Assert.Equal(default, table.ETag);
        Assert.False(table.ContainsKey("odata.etag"));
        Assert.Equal(1, table["SchemaVersion"]);
        Assert.Equal("m", table["Model"]);
        Assert.Equal(3, table["TurnCount"]);
        Assert.Equal(expires, table["ExpiresAt"]);
        Assert.False(table.ContainsKey("SiteNonce"));
        Assert.False(table.ContainsKey("Timestamp"));
    }

    [Fact]
    public void FromTable_ReadsWhatToTableWrote()
    {
        var entity = new SessionEntity { PartitionKey = "p", SchemaVersion = 1, Model = "m", SiteNonce = "tc-1", TurnCount = 3, ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(1) };

        var table = TableEntities.ToTable(entity);
        table.ETag = new ETag("W/\"3\"");   // as a read row carries it
        entity.ETag = table.ETag;
        var back = TableEntities.FromTable<SessionEntity>(table);

        Assert.Equivalent(entity, back, strict: true);
    }

    [Fact]
    public void FromTable_AValueOfAnotherTypeThanItsProperty_IsLeftAtTheDefault()
    {
        // The SDK reads back Int32 and DateTimeOffset for the rows the gateway writes (the state tests on Azurite);
        // a row edited by hand or by another program may hold something else.
        var stamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var table = new TableEntity("p", "r")
        {
            Timestamp = stamp,
            ETag = new ETag("W/\"2\""),
            ["SchemaVersion"] = 7L,
            ["ExpiresAt"] = new DateTime(2026, 5, 6, 7, 8, 9, DateTimeKind.Utc),
            ["TurnCount"] = "3",
            ["Model"] = "m",
            ["Unknown"] = 1,
        };

        var entity = TableEntities.FromTable<SessionEntity>(table);

        Assert.Equal(("p", "r", stamp, new ETag("W/\"2\"")), (entity.PartitionKey, entity.RowKey, entity.Timestamp, entity.ETag));
        Assert.Equal(0, entity.SchemaVersion);
        Assert.Null(entity.ExpiresAt);
        Assert.Equal(0, entity.TurnCount);
        Assert.Equal("m", entity.Model);
    }
}
