using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ProductCatalog.Data;

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> builder)
    {
        builder.ToTable(CatalogTables.Products, table =>
        {
            // The database is the last line of defence: the API validates first, these keep every
            // other writer (scripts, future services) honest.
            table.HasCheckConstraint("ck_products_sku_upper", "sku = upper(sku)");
            table.HasCheckConstraint("ck_products_price_range", "price >= 0 AND price <= 999999999.99");
            table.HasCheckConstraint("ck_products_stock_non_negative", "stock_quantity >= 0");
            table.HasCheckConstraint("ck_products_currency_iso", "currency ~ '^[A-Z]{3}$'");
        });

        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(p => p.Sku).HasColumnName("sku").HasMaxLength(64);
        builder.Property(p => p.Name).HasColumnName("name").HasMaxLength(200).UseCollation(CatalogDbContext.NameCollation);
        builder.Property(p => p.Description).HasColumnName("description").HasMaxLength(4000);
        builder.Property(p => p.Price).HasColumnName("price").HasColumnType("numeric(12,2)");
        builder.Property(p => p.Currency).HasColumnName("currency").HasColumnType("character(3)").HasDefaultValue("USD");
        builder.Property(p => p.CategoryId).HasColumnName("category_id");
        builder.Property(p => p.Tags).HasColumnName("tags").HasColumnType("text[]");
        builder.Property(p => p.StockQuantity).HasColumnName("stock_quantity");
        builder.Property(p => p.IsActive).HasColumnName("is_active");
        builder.Property(p => p.CreatedAt).HasColumnName("created_at");
        builder.Property(p => p.UpdatedAt).HasColumnName("updated_at");
        builder.Property(p => p.Version).HasColumnName("xmin").IsRowVersion();

        builder.HasGeneratedTsVectorColumn(p => p.SearchVector, "english", p => new { p.Sku, p.Name, p.Description })
            .HasIndex(p => p.SearchVector)
            .HasMethod("GIN")
            .HasDatabaseName("ix_products_search");
        builder.Property(p => p.SearchVector).HasColumnName("search_vector");

        // Stored upper-cased (checked above), so a plain unique index is a case-insensitive one.
        builder.HasIndex(p => p.Sku).IsUnique().HasDatabaseName("ux_products_sku");

        // One index per sort order; id breaks ties, so every keyset seek is an index range scan.
        builder.HasIndex(p => new { p.Name, p.Id }).HasDatabaseName("ix_products_name_id");
        builder.HasIndex(p => new { p.Price, p.Id }).HasDatabaseName("ix_products_price_id");
        builder.HasIndex(p => new { p.CreatedAt, p.Id }).HasDatabaseName("ix_products_created_at_id");
        builder.HasIndex(p => p.CategoryId).HasDatabaseName("ix_products_category_id");
        builder.HasIndex(p => p.Tags).HasMethod("GIN").HasDatabaseName("ix_products_tags");

        builder.HasOne(p => p.Category)
            .WithMany(c => c.Products)
            .HasForeignKey(p => p.CategoryId)
            .OnDelete(DeleteBehavior.Restrict)
            .HasConstraintName("fk_products_categories_category_id");
    }
}
