using System.Diagnostics.CodeAnalysis;
using Gateway.Configuration;
using Gateway.State.Memory;
using Gateway.State.Tables;

namespace Gateway.State;

/// <summary>
/// Every store the gateway keeps state in: Table Storage (guarded, with a memory fallback) when an
/// account is configured, otherwise memory.
/// </summary>
internal sealed class StateStores
{
    public static readonly string[] TableSuffixes = ["Sessions", "Affinity", "Tokens", "Overrides", "Models", "Thinking", "Responses"];

    public StateStores(StateOptions options, StateGuard guard, StateCallCounter counter, TimeProvider time)
    {
        if (!options.UsesTableStorage)
        {
            Sessions = new MemoryRecordStore<SessionRecord>(time);
            Affinity = new MemoryRecordStore<AffinityRecord>(time);
            Tokens = new MemoryRecordStore<TokenRecord>(time);
            Overrides = new MemoryRecordStore<ModelOverride>(time);
            Thinking = new MemoryRecordStore<JsonRecord>(time);
            Responses = new MemoryRecordStore<JsonRecord>(time);
            ModelLists = new MemoryModelListStore();
            return;
        }

        Tables = new TableStateClient(options, counter);
        Sessions = Guarded(new SessionMap(), guard, time);
        Affinity = Guarded(new AffinityMap(), guard, time);
        Tokens = Guarded(new TokenMap(), guard, time);
        Overrides = Guarded(new OverrideMap(), guard, time);
        Thinking = Guarded(new JsonMap("Thinking", "thinking"), guard, time);
        Responses = Guarded(new JsonMap("Responses", "response"), guard, time);
        ModelLists = new GuardedModelListStore(new TableModelListStore(Tables.Table("Models")), new MemoryModelListStore(), guard);
    }

    /// <summary>The Table Storage account, or null when state is in memory.</summary>
    public TableStateClient? Tables { get; }

    public IRecordStore<SessionRecord> Sessions { get; }

    public IRecordStore<AffinityRecord> Affinity { get; }

    public IRecordStore<TokenRecord> Tokens { get; }

    public IRecordStore<ModelOverride> Overrides { get; }

    /// <summary>Thinking blocks remembered for OpenAI Chat clients of Anthropic-kind targets.</summary>
    public IRecordStore<JsonRecord> Thinking { get; }

    /// <summary>Responses kept for <c>previous_response_id</c> (only with <c>State:KeepResponses</c>).</summary>
    public IRecordStore<JsonRecord> Responses { get; }

    public IModelListStore ModelLists { get; }

    private GuardedRecordStore<TRecord> Guarded<TRecord, [DynamicallyAccessedMembers(TableEntities.Kept)] TEntity>(ITableRecordMap<TRecord, TEntity> map, StateGuard guard, TimeProvider time)
        where TRecord : class, IStateRecord
        where TEntity : class, Azure.Data.Tables.ITableEntity, new() =>
        new(new TableRecordStore<TRecord, TEntity>(Tables!.Table(map.TableSuffix), map, time), new MemoryRecordStore<TRecord>(time, lenient: true), guard);
}
