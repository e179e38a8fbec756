using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ProductCatalog.Data;

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public const string NormalizedNameColumn = "normalized_name";

    public void Configure(EntityTypeBuilder<Category> builder)
    {
        builder.ToTable(CatalogTables.Categories);

        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        builder.Property(c => c.Name).HasColumnName("name").HasMaxLength(100).UseCollation(CatalogDbContext.NameCollation);
        builder.Property(c => c.Description).HasColumnName("description").HasMaxLength(1000);

        // Names are unique case-insensitively. A stored generated column keeps that rule in the
        // database (and under concurrent inserts) without an expression index EF Core cannot model.
        builder.Property<string>(NormalizedNameColumn)
            .HasColumnName(NormalizedNameColumn)
            .HasMaxLength(100)
            .HasComputedColumnSql("lower(name)", stored: true);
        builder.HasIndex(NormalizedNameColumn).IsUnique().HasDatabaseName("ux_categories_normalized_name");
    }
}
