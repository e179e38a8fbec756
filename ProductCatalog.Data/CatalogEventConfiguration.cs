using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ProductCatalog.Data;

internal sealed class CatalogEventGroupConfiguration : IEntityTypeConfiguration<CatalogEventGroup>
{
    public void Configure(EntityTypeBuilder<CatalogEventGroup> builder)
    {
        builder.ToTable(CatalogTables.EventGroups, table =>
        {
            table.HasCheckConstraint("ck_catalog_event_groups_count", "count >= 1 AND cardinality(ids) = count AND cardinality(subjects) = count AND cardinality(data) = count");
            table.HasCheckConstraint("ck_catalog_event_groups_positions", "(first_position IS NULL) = (last_position IS NULL) AND (last_position IS NULL OR last_position = first_position + count - 1)");
        });
        builder.HasKey(e => e.Seq);
        builder.Property(e => e.Seq).HasColumnName("seq").UseIdentityAlwaysColumn();
        builder.Property(e => e.FirstPosition).HasColumnName("first_position");
        builder.Property(e => e.LastPosition).HasColumnName("last_position");
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.Type).HasColumnName("type").HasMaxLength(64);
        builder.Property(e => e.Source).HasColumnName("source").HasMaxLength(64);
        builder.Property(e => e.Time).HasColumnName("time");
        builder.Property(e => e.TraceParent).HasColumnName("traceparent").HasMaxLength(128);
        builder.Property(e => e.Ids).HasColumnName("ids");
        builder.Property(e => e.Subjects).HasColumnName("subjects").HasColumnType("text[]");
        // json, not jsonb: the text is kept byte for byte as the API wrote it.
        builder.Property(e => e.Data).HasColumnName("data").HasColumnType("json[]");

        // The feed and the relay seek by position: the group holding a position is the first whose last_position reaches it.
        builder.HasIndex(e => e.LastPosition).IsUnique().HasDatabaseName("ux_catalog_event_groups_last_position");
        // The sequencer finds what is left to number without scanning numbered groups.
        builder.HasIndex(e => e.Seq).HasFilter("last_position IS NULL").HasDatabaseName("ix_catalog_event_groups_unsequenced");
    }
}

internal sealed class CatalogEventFeedConfiguration : IEntityTypeConfiguration<CatalogEventFeed>
{
    public void Configure(EntityTypeBuilder<CatalogEventFeed> builder)
    {
        builder.ToTable(CatalogTables.EventFeed, table => table.HasCheckConstraint("ck_catalog_event_feed_singleton", "id = 1"));
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(f => f.SequencedThrough).HasColumnName("sequenced_through");
        builder.Property(f => f.PublishedThrough).HasColumnName("published_through");
        builder.Property(f => f.PurgedThrough).HasColumnName("purged_through");
        builder.HasData(new CatalogEventFeed { Id = CatalogEventFeed.SingletonId });
    }
}
