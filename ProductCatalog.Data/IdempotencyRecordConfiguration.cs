using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ProductCatalog.Data;

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable(CatalogTables.IdempotencyKeys);
        builder.HasKey(r => r.Key);
        builder.Property(r => r.Key).HasColumnName("key").HasMaxLength(400);
        builder.Property(r => r.RequestHash).HasColumnName("request_hash");
        builder.Property(r => r.StatusCode).HasColumnName("status_code");
        builder.Property(r => r.ResponseBody).HasColumnName("response_body");
        builder.Property(r => r.Location).HasColumnName("location");
        builder.Property(r => r.ETag).HasColumnName("etag");
        builder.Property(r => r.CreatedAt).HasColumnName("created_at");

        // Expired keys are purged by age.
        builder.HasIndex(r => r.CreatedAt).HasDatabaseName("ix_idempotency_keys_created_at");
    }
}
