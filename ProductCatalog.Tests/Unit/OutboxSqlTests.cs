using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ProductCatalog.Tests.Unit;

/// <summary>
/// The outbox is read and kept on raw SQL (the feed, the relay, the sequencer, the purger). Its
/// table names come from <see cref="CatalogTables"/>, the ones EF Core maps to; these tests pin its
/// columns to the EF Core model too, so a renamed column fails here rather than in a request.
/// </summary>
public sealed partial class OutboxSqlTests
{
    private static readonly IModel s_model = new DesignTimeCatalogDbContextFactory().CreateDbContext([]).Model;

    private static IEntityType Entity<T>() => s_model.FindEntityType(typeof(T))!;

    private static string ColumnOf(IEntityType entity, string property)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (entity.FindProperty(property) ?? throw new InvalidOperationException($"{entity.ClrType.Name} has no property {property}.")).GetColumnName(table)!;
    }

    [Fact]
    public void The_tables_are_the_models_tables()
    {
        Assert.Equal(CatalogTables.EventGroups, Entity<CatalogEventGroup>().GetTableName());
        Assert.Equal(CatalogTables.EventFeed, Entity<CatalogEventFeed>().GetTableName());
        Assert.Equal(CatalogTables.Products, Entity<Product>().GetTableName());
        Assert.Equal(CatalogTables.Categories, Entity<Category>().GetTableName());
        Assert.Equal(CatalogTables.IdempotencyKeys, Entity<IdempotencyRecord>().GetTableName());
    }

    [Fact]
    public void The_feed_reads_the_group_columns_it_unpacks_in_order()
    {
        var group = Entity<CatalogEventGroup>();
        string[] properties =
        [
            nameof(CatalogEventGroup.FirstPosition), nameof(CatalogEventGroup.LastPosition), nameof(CatalogEventGroup.Count),
            nameof(CatalogEventGroup.Type), nameof(CatalogEventGroup.Source), nameof(CatalogEventGroup.Time), nameof(CatalogEventGroup.TraceParent),
            nameof(CatalogEventGroup.Ids), nameof(CatalogEventGroup.Subjects), nameof(CatalogEventGroup.Data),
        ];

        Assert.Equal(OutboxEvents.GroupColumns, string.Join(", ", properties.Select(p => ColumnOf(group, p))));
    }

    public static TheoryData<string, string> Statements => new()
    {
        { "feed read", OutboxEvents.ReadSql },
        { "retention check", OutboxEvents.RecordedBeforeSql },
        { "sequencer lock", ChangeEventSequencer.LockSql },
        { "sequencer state", ChangeEventSequencer.StateSql },
        { "sequencer numbering", ChangeEventSequencer.NumberSql },
        { "purge", ChangeEventPurger.PurgeSql },
        { "relay progress", ChangeEventRelay.MarkPublishedSql },
    };

    /// <summary>Every snake_case name a statement uses is a table or column of the outbox, or one of the statement's own aliases.</summary>
    [Theory]
    [MemberData(nameof(Statements))]
    public void Every_name_in_the_outbox_sql_is_in_the_model(string statement, string sql)
    {
        string[] aliases = ["after_count", "before_count"];
        var known = new[] { Entity<CatalogEventGroup>(), Entity<CatalogEventFeed>() }
            .SelectMany(e => e.GetProperties().Select(p => ColumnOf(e, p.Name)).Append(e.GetTableName()!))
            .Concat(aliases)
            .ToHashSet(StringComparer.Ordinal);

        var unknown = SnakeCase().Matches(sql).Select(m => m.Value).Where(name => !known.Contains(name)).Distinct().ToList();

        Assert.True(unknown.Count == 0, $"{statement} names what the model does not have: {string.Join(", ", unknown)}");
    }

    [GeneratedRegex("\\b[a-z]+(?:_[a-z]+)+\\b")]
    private static partial Regex SnakeCase();
}
