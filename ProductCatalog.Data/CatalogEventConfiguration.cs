using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ProductCatalog.Data;

internal sealed class CatalogEventConfiguration : IEntityTypeConfiguration<CatalogEvent>
{
    public const string TableName = "catalog_events";

    public void Configure(EntityTypeBuilder<CatalogEvent> builder)
    {
        builder.ToTable(TableName);
        builder.HasKey(e => e.Seq);
        builder.Property(e => e.Seq).HasColumnName("seq").UseIdentityAlwaysColumn();
        builder.Property(e => e.Position).HasColumnName("position");
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(e => e.Type).HasColumnName("type").HasMaxLength(64);
        builder.Property(e => e.Source).HasColumnName("source").HasMaxLength(64);
        builder.Property(e => e.Subject).HasColumnName("subject").HasMaxLength(64);
        builder.Property(e => e.Time).HasColumnName("time");
        // json, not jsonb: the text is kept byte for byte as the API wrote it.
        builder.Property(e => e.Data).HasColumnName("data").HasColumnType("json");
        builder.Property(e => e.TraceParent).HasColumnName("traceparent").HasMaxLength(128);

        // The feed and the relay seek by position.
        builder.HasIndex(e => e.Position).IsUnique().HasDatabaseName("ux_catalog_events_position");
        // The sequencer finds what is left to number without scanning numbered events.
        builder.HasIndex(e => e.Seq).HasFilter("position IS NULL").HasDatabaseName("ix_catalog_events_unsequenced");
    }
}

internal sealed class CatalogEventFeedConfiguration : IEntityTypeConfiguration<CatalogEventFeed>
{
    public void Configure(EntityTypeBuilder<CatalogEventFeed> builder)
    {
        builder.ToTable("catalog_event_feed", table => table.HasCheckConstraint("ck_catalog_event_feed_singleton", "id = 1"));
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(f => f.SequencedThrough).HasColumnName("sequenced_through");
        builder.Property(f => f.PublishedThrough).HasColumnName("published_through");
        builder.Property(f => f.PurgedThrough).HasColumnName("purged_through");
        builder.HasData(new CatalogEventFeed { Id = CatalogEventFeed.SingletonId });
    }
}
