using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Data;

public sealed class CatalogDbContext(DbContextOptions<CatalogDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Category> Categories => Set<Category>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    /// <summary>The transactional outbox of change events, a row per write's events.</summary>
    public DbSet<CatalogEventGroup> CatalogEventGroups => Set<CatalogEventGroup>();

    public DbSet<CatalogEventFeed> CatalogEventFeed => Set<CatalogEventFeed>();

    /// <summary>
    /// ICU root collation for names: case-insensitive alphabetical order that does not depend on
    /// the server's initdb locale, so a local server and the container sort the same way.
    /// </summary>
    public const string NameCollation = "catalog_name";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasCollation(NameCollation, locale: "und", provider: "icu", deterministic: true);

        // The search's typo fallback corrects words against a vocabulary of the names' words (trigram
        // neighbours, then edit distance); both are contrib extensions that Debian's server package,
        // Azure Flexible Server (azure.extensions) and CloudNativePG's image all carry.
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.HasPostgresExtension("fuzzystrmatch");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CatalogDbContext).Assembly);
    }
}
