using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>
/// The gateway's typed entities to and from the SDK's dictionary <see cref="TableEntity"/>. The SDK's own
/// typed calls bind through Azure.Core's <c>TypeBinder</c>, which builds generic types at run time: in the
/// Native AOT build it wrote rows without their properties (the service answered "The values are not
/// specified for all properties"). Here the properties are read once per type, kept by the annotations below
/// in a trimmed build, and every value goes through the SDK as the dictionary entity it handles natively.
/// </summary>
internal static class TableEntities
{
    /// <summary>What a trimmed build must keep of an entity type for the conversions: every generic parameter that reaches them carries it.</summary>
    public const DynamicallyAccessedMemberTypes Kept = DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    /// <summary>
    /// The keys and every other property of <paramref name="entity"/> but its timestamp and ETag (a null property is
    /// left out, as the SDK did). No ETag: <see cref="TableEntity"/> keeps it as an <c>odata.etag</c> member that
    /// would go into the row's body; every write passes its condition (or <see cref="Azure.ETag.All"/>) itself.
    /// </summary>
    public static TableEntity ToTable<[DynamicallyAccessedMembers(Kept)] TEntity>(TEntity entity)
        where TEntity : class, ITableEntity
    {
        var table = new TableEntity(entity.PartitionKey, entity.RowKey);
        foreach (var property in Properties<TEntity>.Values)
        {
            if (property.GetValue(entity) is { } value)
            {
                table[property.Name] = value;
            }
        }

        return table;
    }

    /// <summary>A typed entity from a row; a value of another type than its property (a row another version wrote) is left at its default.</summary>
    public static TEntity FromTable<[DynamicallyAccessedMembers(Kept)] TEntity>(TableEntity table)
        where TEntity : class, ITableEntity, new()
    {
        var entity = new TEntity { PartitionKey = table.PartitionKey, RowKey = table.RowKey, Timestamp = table.Timestamp, ETag = table.ETag };
        foreach (var property in Properties<TEntity>.Values)
        {
            if (table.TryGetValue(property.Name, out var value) && Converted(value, property.PropertyType) is { } converted)
            {
                property.SetValue(entity, converted);
            }
        }

        return entity;
    }

    private static object? Converted(object? value, Type propertyType) =>
        value is not null && (Nullable.GetUnderlyingType(propertyType) ?? propertyType).IsInstanceOfType(value) ? value : null;

    private static class Properties<[DynamicallyAccessedMembers(Kept)] TEntity>
    {
        public static readonly PropertyInfo[] Values = typeof(TEntity)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.Name is not (nameof(ITableEntity.PartitionKey) or nameof(ITableEntity.RowKey) or nameof(ITableEntity.Timestamp) or nameof(ITableEntity.ETag)))
            .ToArray();
    }
}
