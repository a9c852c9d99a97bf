using Gateway.Configuration;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.Routing;
using Gateway.State;
using Gateway.State.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Integration.Tests.State;

/// <summary>The same contract for every store, run against memory and against real Azurite.</summary>
public abstract class RecordStoreContractTests
{
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    private protected abstract Task<StateStores> CreateAsync();

    [Fact]
    public async Task Session_InsertGetUpdateDelete()
    {
        var stores = await CreateAsync();
        var sessions = stores.Sessions;

        Assert.Null(await sessions.GetAsync("k1", default));
        var inserted = await sessions.SaveAsync(new SessionRecord("k1", "gpt", "up-1", "ex-1", 1, Time.GetUtcNow().AddHours(1)), default);
        var read = await sessions.GetAsync("k1", default);
        var updated = await sessions.SaveAsync(read! with { TurnCount = 2 }, default);
        var reread = await sessions.GetAsync("k1", default);
        var deleted = await sessions.DeleteAsync("k1", default);

        Assert.True(inserted.Saved);
        Assert.Equal(("gpt", "up-1", "ex-1", 1), (read!.Model, read.UpstreamSessionId, read.ExchangeId, read.TurnCount));
        Assert.True(updated.Saved);
        Assert.Equal(2, reread!.TurnCount);
        Assert.True(deleted);
        Assert.Null(await sessions.GetAsync("k1", default));
    }

    // Table Storage holds at most 64 KiB in a string property: remembered thinking is split over several.
    [Fact]
    public async Task Thinking_ValueLargerThanOnePropertyRoundTrips()
    {
        var stores = await CreateAsync();
        var blocks = "[{\"thinking\":\"" + new string('é', 100_000) + "\",\"signature\":\"gw1~a1234abcd~SIG\"}]";

        Assert.True((await stores.Thinking.SaveAsync(new JsonRecord("t1", blocks, Time.GetUtcNow().AddHours(1)), default)).Saved);

        Assert.Equal(blocks, (await stores.Thinking.GetAsync("t1", default))!.Json);
    }

    [Fact]
    public async Task Save_SecondInsertOfAKey_Conflicts()
    {
        var stores = await CreateAsync();
        var record = new AffinityRecord("k", "a", "m", Time.GetUtcNow().AddHours(1));

        Assert.True((await stores.Affinity.SaveAsync(record, default)).Saved);
        Assert.False((await stores.Affinity.SaveAsync(record with { Provider = "b" }, default)).Saved);
        Assert.Equal("a", (await stores.Affinity.GetAsync("k", default))!.Provider);
    }

    [Fact]
    public async Task Save_TwoWritersWithTheSameETag_OnlyOneWins()
    {
        var stores = await CreateAsync();
        await stores.Sessions.SaveAsync(new SessionRecord("k", "m", null, null, 1, Time.GetUtcNow().AddHours(1)), default);
        var writerA = await stores.Sessions.GetAsync("k", default);
        var writerB = await stores.Sessions.GetAsync("k", default);

        var a = await stores.Sessions.SaveAsync(writerA! with { TurnCount = 10 }, default);
        var b = await stores.Sessions.SaveAsync(writerB! with { TurnCount = 20 }, default);
        var afterConflict = await stores.Sessions.GetAsync("k", default);
        var retried = await stores.Sessions.SaveAsync(afterConflict! with { TurnCount = afterConflict.TurnCount + 1 }, default);

        Assert.True(a.Saved);
        Assert.False(b.Saved);
        Assert.Equal(10, afterConflict.TurnCount);
        Assert.True(retried.Saved);
        Assert.Equal(11, (await stores.Sessions.GetAsync("k", default))!.TurnCount);
    }

    [Fact]
    public async Task Expired_ReadsAsMissingCanBeReinsertedAndIsSwept()
    {
        var stores = await CreateAsync();
        await stores.Sessions.SaveAsync(new SessionRecord("old", "m", null, null, 1, Time.GetUtcNow().AddMinutes(5)), default);
        await stores.Sessions.SaveAsync(new SessionRecord("gone", "m", null, null, 1, Time.GetUtcNow().AddMinutes(5)), default);
        await stores.Sessions.SaveAsync(new SessionRecord("live", "m", null, null, 1, Time.GetUtcNow().AddHours(5)), default);

        Time.Advance(TimeSpan.FromMinutes(10));
        var expired = await stores.Sessions.GetAsync("old", default);
        var reinsert = await stores.Sessions.SaveAsync(new SessionRecord("old", "m", null, null, 1, Time.GetUtcNow().AddHours(1)), default);
        var swept = await stores.Sessions.SweepExpiredAsync(Time.GetUtcNow(), default);

        Assert.Null(expired);
        Assert.True(reinsert.Saved);
        Assert.Equal(1, swept);
        Assert.NotNull(await stores.Sessions.GetAsync("live", default));
        Assert.NotNull(await stores.Sessions.GetAsync("old", default));
    }

    [Fact]
    public async Task Overrides_ListReturnsEveryLiveRecord()
    {
        var stores = await CreateAsync();
        await stores.Overrides.SaveAsync(new ModelOverride("alias/one", [new OverrideTarget("p", "m", 2, "ch")], Time.GetUtcNow()), default);
        await stores.Overrides.SaveAsync(new ModelOverride("alias#two?", [new OverrideTarget("q", null, null, null)], Time.GetUtcNow()), default);

        var all = (await stores.Overrides.ListAsync(default)).OrderBy(o => o.Key, StringComparer.Ordinal).ToList();

        Assert.Equal(["alias#two?", "alias/one"], all.Select(o => o.Key));
        Assert.Equal(new OverrideTarget("p", "m", 2, "ch"), all[1].Targets.Single());
    }

    [Fact]
    public async Task Tokens_RoundTrip()
    {
        var stores = await CreateAsync();
        var expires = Time.GetUtcNow().AddHours(1);

        await stores.Tokens.SaveAsync(new TokenRecord("provider/x", "tok", expires, null), default);
        var read = await stores.Tokens.GetAsync("provider/x", default);

        Assert.Equal("tok", read!.Token);
        Assert.Equal(expires, read.TokenExpiresAt);
        Assert.Null(read.RefreshingUntil);
    }

    [Fact]
    public async Task ModelLists_SaveReplacesAndLoadsAll()
    {
        var stores = await CreateAsync();
        var at = Time.GetUtcNow();
        await stores.ModelLists.SaveAsync(new ModelListRecord("a", [new UpstreamModel("openai/gpt-4o", "openai"), new UpstreamModel("m2", "a")], at), default);
        await stores.ModelLists.SaveAsync(new ModelListRecord("b", [new UpstreamModel("x", "b")], at), default);
        await stores.ModelLists.SaveAsync(new ModelListRecord("a", [new UpstreamModel("openai/gpt-4o", "openai")], at.AddMinutes(1)), default);

        var all = (await stores.ModelLists.LoadAllAsync(default)).ToDictionary(l => l.Provider);

        Assert.Equal(["openai/gpt-4o"], all["a"].Models.Select(m => m.Id));
        Assert.Equal("openai", all["a"].Models[0].OwnedBy);
        Assert.Equal(at.AddMinutes(1), all["a"].FetchedAt);
        Assert.Equal(["x"], all["b"].Models.Select(m => m.Id));
    }
}

public sealed class MemoryStoreContractTests : RecordStoreContractTests
{
    private protected override Task<StateStores> CreateAsync() =>
        Task.FromResult(new StateStores(new StateOptions(), new StateGuard(new StateHealth(NullLogger<StateHealth>.Instance, Time), Time), new StateCallCounter(), Time));
}

[Collection(AzuriteCollection.Name)]
public sealed class TableStoreContractTests(AzuriteFixture azurite) : RecordStoreContractTests
{
    private protected override async Task<StateStores> CreateAsync()
    {
        var options = new StateOptions { ConnectionString = azurite.ConnectionString, TablePrefix = AzuriteFixture.NewPrefix() };
        var stores = new StateStores(options, new StateGuard(new StateHealth(NullLogger<StateHealth>.Instance, Time), Time), new StateCallCounter(), Time);
        await stores.Tables!.EnsureTablesAsync(StateStores.TableSuffixes, default);
        return stores;
    }

    [Fact]
    public async Task UnknownSchemaVersion_ReadsAsMiss()
    {
        var stores = await CreateAsync();
        await stores.Sessions.SaveAsync(new SessionRecord("k", "m", null, null, 1, Time.GetUtcNow().AddHours(1)), default);
        var table = stores.Tables!.Table("Sessions");
        var entity = (await table.GetEntityAsync<SessionEntity>("k", SessionEntity.Row)).Value;
        entity.SchemaVersion = 99;
        await table.UpdateEntityAsync(entity, entity.ETag, Azure.Data.Tables.TableUpdateMode.Replace);

        Assert.Null(await stores.Sessions.GetAsync("k", default));
        Assert.True((await stores.Sessions.SaveAsync(new SessionRecord("k", "m", null, null, 1, Time.GetUtcNow().AddHours(1)), default)).Saved);
    }

    [Fact]
    public async Task Keys_AreEscapedNeverRawClientText()
    {
        var stores = await CreateAsync();
        await stores.ModelLists.SaveAsync(new ModelListRecord("prov/1", [new UpstreamModel("vendor/model:v1#x?y", "o")], Time.GetUtcNow()), default);

        var entity = Assert.Single(stores.Tables!.Table("Models").Query<ModelEntity>());

        Assert.Equal("prov%2F1", entity.PartitionKey);
        Assert.Equal("vendor%2Fmodel:v1%23x%3Fy", entity.RowKey);
        Assert.Equal("vendor/model:v1#x?y", entity.ModelId);
    }

    [Fact]
    public async Task StoreCalls_TimeOutAfterTwoSecondsWithOneRetryWhenTheStoreHangs()
    {
        await using var hole = new BlackHole();
        var options = new StateOptions { ConnectionString = hole.TableConnectionString, TablePrefix = AzuriteFixture.NewPrefix() };
        var health = new StateHealth(NullLogger<StateHealth>.Instance, TimeProvider.System);
        var stores = new StateStores(options, new StateGuard(health, TimeProvider.System), new StateCallCounter(), TimeProvider.System);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var session = await stores.Sessions.GetAsync("k", default);

        Assert.Null(session);
        Assert.True(health.IsDegraded);
        // 2 s per try, one retry after 0.2 s: about 4.2 s, never the SDK's default minutes.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(6));
    }
}
