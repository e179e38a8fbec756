using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ProductCatalog.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without the Aspire-provided connection
/// string; scaffolding a migration never opens a connection.
/// </summary>
internal sealed class DesignTimeCatalogDbContextFactory : IDesignTimeDbContextFactory<CatalogDbContext>
{
    public CatalogDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<CatalogDbContext>()
            .UseNpgsql("Host=localhost;Database=catalogdb", npgsql => npgsql.MigrationsHistoryTable(CatalogDataExtensions.MigrationsHistoryTable))
            .Options;
        return new CatalogDbContext(options);
    }
}
